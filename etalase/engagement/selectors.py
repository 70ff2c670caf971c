"""Engagement reads: who follows and favourites what, comments, and the customer's two feeds.

Every list here costs a fixed number of queries whatever its length (pinned by tests).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.catalog.models import Post, Product
from etalase.catalog.selectors import post_public_queryset, product_public_queryset
from etalase.core.errors import ValidationError
from etalase.core.pagination import MAX_PAGE_SIZE, Page
from etalase.directory.models import Business
from etalase.directory.selectors import business_public_list
from etalase.engagement.models import Comment, Favourite, Follow


def _signed_in(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return user is not None and bool(getattr(user, "is_authenticated", False))


# --- products and shops ---------------------------------------------------------------------------


def product_public_by_id(product_id: int, *, with_cover: bool = True) -> Product | None:
    """A published, visible product of an active shop, whichever shop it belongs to.

    ``with_cover=False`` leaves out its cover photo (one query fewer) for a write that shows none.
    """
    products = product_public_queryset().filter(pk=product_id)
    if not with_cover:
        products = products.prefetch_related(None)
    return products.first()


def favourite_count_of(product_id: int) -> int:
    """The kept favourite count of a product, whatever its status (0 for a missing one)."""
    return Product.objects.filter(pk=product_id).values_list("favourite_count", flat=True).first() or 0


def follower_count(business: Business) -> int:
    return Follow.objects.filter(business=business).count()


def is_following(user: User | AnonymousUser | None, business: Business) -> bool:
    return _signed_in(user) and Follow.objects.filter(user=user, business=business).exists()


def follows_any(user: User | AnonymousUser | None) -> bool:
    return _signed_in(user) and Follow.objects.filter(user=user).exists()


def is_favourite(user: User | AnonymousUser | None, product: Product) -> bool:
    return _signed_in(user) and Favourite.objects.filter(user=user, product=product).exists()


def favourite_ids_among(user: User | AnonymousUser | None, product_ids: Iterable[int]) -> set[int]:
    """Which of these products the user has favourited (one query; none for visitors)."""
    ids = list(product_ids)
    if not _signed_in(user) or not ids:
        return set()
    return set(Favourite.objects.filter(user=user, product_id__in=ids).values_list("product_id", flat=True))


def follow_list_for_user(user: User) -> QuerySet[Business]:
    """The active shops the user follows, most recently followed first (``followed_at`` annotated)."""
    return (
        business_public_list()
        .filter(follows__user=user)
        .annotate(followed_at=F("follows__created_at"))
        .order_by("-followed_at", "-id")
    )


def favourite_list_for_user(user: User) -> QuerySet[Product]:
    """The user's favourite products that are still public, newest favourite first."""
    return (
        product_public_queryset()
        .filter(favourites__user=user)
        .annotate(favourited_at=F("favourites__created_at"))
        .order_by("-favourited_at", "-id")
    )


# --- comments -------------------------------------------------------------------------------------


def comment_list_public(product: Product) -> QuerySet[Comment]:
    """Visible comments and questions, newest first, each with its visible answers (oldest first)
    in ``visible_answers``: two queries for any page of it."""
    answers = Comment.objects.filter(is_hidden=False).select_related("author", "business").order_by("created_at", "id")
    return (
        Comment.objects.filter(product=product, parent__isnull=True, is_hidden=False)
        .select_related("author")
        .prefetch_related(Prefetch("answers", queryset=answers, to_attr="visible_answers"))
        .order_by("-created_at", "-id")
    )


def comment_product_id(comment_id: int) -> int | None:
    """Which product a comment belongs to (to show its product's comments again after moderation)."""
    return Comment.objects.filter(pk=comment_id).values_list("product_id", flat=True).first()


# --- the "Following" feed -------------------------------------------------------------------------

PRODUCT, POST = "product", "post"
# Among items published at the same instant, products come before posts; then the higher id first.
_RANK = {PRODUCT: 1, POST: 0}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FeedCursor:
    """Where a page of the feed ended: the last item's time, kind and id (a total order)."""

    published_at: dt.datetime
    kind: str
    id: int

    def encode(self) -> str:
        delta = self.published_at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}-{self.kind}-{self.id}"

    @classmethod
    def decode(cls, text: str) -> FeedCursor:
        """Parse ``encode()``'s form, or a plain ISO 8601 time (everything strictly older)."""
        invalid = ValidationError(
            _("This feed position is not valid; start again from the top."),
            fields={"before": _("Not a feed position.")},
        )
        text = (text or "").strip()[:80]
        parts = text.split("-")
        if len(parts) == 3 and parts[0].isdigit() and parts[1] in _RANK and parts[2].isdigit():
            micros, number = int(parts[0]), int(parts[2])
            if micros > 253_402_300_799_000_000 or number > 2**63 - 1:  # past year 9999 / bigint
                raise invalid
            return cls(_EPOCH + dt.timedelta(microseconds=micros), parts[1], number)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise invalid from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        return cls(moment, POST, 0)  # nothing sorts before (t, post, 0): everything at t is excluded


@dataclass(frozen=True)
class FeedItem:
    kind: str
    published_at: dt.datetime
    object: Product | Post

    @property
    def cursor(self) -> FeedCursor:
        return FeedCursor(self.published_at, self.kind, self.object.pk)

    @property
    def sort_key(self) -> tuple[dt.datetime, int, int]:
        return (self.published_at, _RANK[self.kind], self.object.pk)

    @property
    def is_product(self) -> bool:
        return self.kind == PRODUCT


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None


def _older_than(cursor: FeedCursor | None, kind: str) -> Q:
    """Rows of ``kind`` that sort after ``cursor`` in (time, kind rank, id) descending order."""
    if cursor is None:
        return Q()
    older = Q(published_at__lt=cursor.published_at)
    mine, theirs = _RANK[kind], _RANK[cursor.kind]
    if mine < theirs:  # all of my kind at that instant come after the cursor's kind
        return older | Q(published_at=cursor.published_at)
    if mine == theirs:
        return older | Q(published_at=cursor.published_at, pk__lt=cursor.id)
    return older


def feed_following(
    user: User | AnonymousUser | None, *, before: str | FeedCursor | None = None, size: int = 20
) -> FeedPage:
    """New products and posts of the shops ``user`` follows, newest first, one page after ``before``.

    Keyset pagination: the answer's ``next_cursor`` is passed back as ``before``. The cost is one
    query per kind plus their prefetches, whatever ``size``.
    """
    if not _signed_in(user):
        return FeedPage(items=[], next_cursor=None)
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    cursor = FeedCursor.decode(before) if isinstance(before, str) else before
    followed = Follow.objects.filter(user=user).values("business_id")
    products = (
        product_public_queryset()
        .filter(business_id__in=followed, published_at__isnull=False)
        .filter(_older_than(cursor, PRODUCT))
        .order_by("-published_at", "-pk")[: size + 1]
    )
    posts = (
        post_public_queryset()
        .filter(business_id__in=followed)
        .filter(_older_than(cursor, POST))
        .order_by("-published_at", "-pk")[: size + 1]
    )
    merged = [FeedItem(PRODUCT, product.published_at, product) for product in products]  # type: ignore[arg-type]
    merged += [FeedItem(POST, post.published_at, post) for post in posts]
    merged.sort(key=lambda item: item.sort_key, reverse=True)
    items = merged[:size]
    has_more = len(merged) > size
    return FeedPage(items=items, next_cursor=items[-1].cursor.encode() if has_more else None)


# --- the "For you" feed ---------------------------------------------------------------------------

FOR_YOU_WINDOW = dt.timedelta(days=60)
FOR_YOU_CANDIDATES = 300
FOR_YOU_TASTE_FAVOURITES = 200

FIELD_WEIGHT = 3.0
FOLLOW_WEIGHT = 2.0
FRESH_WEIGHT = 1.0
POPULAR_WEIGHT = 1.0
ALREADY_FAVOURITE_PENALTY = 1.5
SAME_SHOP_PENALTY = 0.5
FRESH_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True)
class Candidate:
    id: int
    business_id: int
    category_id: int
    published_at: dt.datetime
    favourite_count: int
    comment_count: int


@dataclass(frozen=True)
class Taste:
    """What a customer has shown they like: their favourites' business fields and followed shops."""

    field_share: dict[int, float]  # category id -> share of the user's favourites in it (0..1)
    followed: frozenset[int]
    favourited: frozenset[int]

    @classmethod
    def none(cls) -> Taste:
        return cls(field_share={}, followed=frozenset(), favourited=frozenset())


def for_you_score(candidate: Candidate, taste: Taste, *, now: dt.datetime, popularity_ceiling: float) -> float:
    """How much one customer may like one product, before the same-shop spreading.

    score = 3.0 × share of the customer's favourites in the product's business field (0..1)
          + 2.0 × (the customer follows the shop)
          + 1.0 × freshness: 0.5 ** (age in days / 7), so 1 when new, ½ after a week
          + 1.0 × popularity: log(1 + favourites + comments) / log(1 + the most among candidates)
          − 1.5 × (the customer already favourited it: they have seen it)

    With no history (or for a visitor) only freshness and popularity remain: popular and new first.
    """
    score: float = FIELD_WEIGHT * taste.field_share.get(candidate.category_id, 0.0)
    if candidate.business_id in taste.followed:
        score += FOLLOW_WEIGHT
    age_days = max((now - candidate.published_at).total_seconds(), 0.0) / 86_400
    score += FRESH_WEIGHT * 0.5 ** (age_days / FRESH_HALF_LIFE_DAYS)
    engagement = candidate.favourite_count + candidate.comment_count
    if popularity_ceiling > 0:
        score += POPULAR_WEIGHT * math.log1p(engagement) / math.log1p(popularity_ceiling)
    if candidate.id in taste.favourited:
        score -= ALREADY_FAVOURITE_PENALTY
    return score


def for_you_rank(candidates: list[Candidate], taste: Taste, *, now: dt.datetime) -> list[int]:
    """Product ids best first. Deterministic: ties go to the newer product, then the higher id.

    A shop's second product loses 0.5, its third 1.0 and so on, so one busy shop cannot fill the feed.
    """
    ceiling = max((c.favourite_count + c.comment_count for c in candidates), default=0)
    scored = [(for_you_score(c, taste, now=now, popularity_ceiling=ceiling), c) for c in candidates]
    scored.sort(key=lambda pair: (pair[0], pair[1].published_at, pair[1].id), reverse=True)
    seen_per_shop: Counter[int] = Counter()
    spread = []
    for score, candidate in scored:
        spread.append((score - SAME_SHOP_PENALTY * seen_per_shop[candidate.business_id], candidate))
        seen_per_shop[candidate.business_id] += 1
    spread.sort(key=lambda pair: (pair[0], pair[1].published_at, pair[1].id), reverse=True)
    return [candidate.id for _score, candidate in spread]


def for_you_taste(user: User | AnonymousUser | None) -> Taste:
    """Two queries for a signed-in customer, none for a visitor."""
    if not _signed_in(user):
        return Taste.none()
    recent = (
        Favourite.objects.filter(user=user)
        .order_by("-created_at")
        .values_list("product_id", "product__business__category_id")[:FOR_YOU_TASTE_FAVOURITES]
    )
    rows = list(recent)
    fields = Counter(category_id for _product_id, category_id in rows)
    total = sum(fields.values())
    followed = Follow.objects.filter(user=user).values_list("business_id", flat=True)
    return Taste(
        field_share={category: count / total for category, count in fields.items()},
        followed=frozenset(followed),
        favourited=frozenset(product_id for product_id, _category in rows),
    )


def _candidates(now: dt.datetime) -> list[Candidate]:
    fields = ("id", "business_id", "business__category_id", "published_at", "favourite_count", "comment_count")
    base = product_public_queryset().prefetch_related(None).filter(published_at__isnull=False)
    rows = list(
        base.filter(published_at__gte=now - FOR_YOU_WINDOW)
        .order_by("-published_at", "-pk")
        .values_list(*fields)[:FOR_YOU_CANDIDATES]
    )
    if not rows:  # a quiet season: rank the newest ones, however old
        rows = list(base.order_by("-published_at", "-pk").values_list(*fields)[:FOR_YOU_CANDIDATES])
    return [Candidate(*row) for row in rows]


def feed_for_you(
    user: User | AnonymousUser | None, *, page: int = 1, size: int = 20, now: dt.datetime | None = None
) -> Page:
    """Recent public products ranked for ``user`` by :func:`for_you_score`, one page of them.

    Queries: candidates (1), the customer's taste (2, none for visitors), the page's products (1
    plus their prefetches) — the same whatever ``size`` and ``page``.
    """
    now = now or timezone.now()
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    number = max(1, int(page))
    ranked = for_you_rank(_candidates(now), for_you_taste(user), now=now)
    offset = (number - 1) * size
    page_ids = ranked[offset : offset + size]
    if page_ids:
        found = {product.pk: product for product in product_public_queryset().filter(pk__in=page_ids)}
        items = [found[pk] for pk in page_ids if pk in found]
    else:
        items = []
    return Page(items=items, number=number, size=size, has_next=len(ranked) > offset + size)
