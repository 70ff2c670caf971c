"""Recomputing the customer scores: one contact as activity arrives, every contact of a business at night.

:func:`contact_scores_recompute` scores one contact cheaply (a handful of indexed queries) with the
business's quintile bounds from the cache; :func:`customer_scores_recompute` scores every contact of
a business in a few aggregate queries and writes only what changed (the nightly ``customer_scores``
command). Both store through the customers app, which owns the contacts
(``services.contact_scores_set`` for one, :mod:`etalase.customers.scores` for many).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import batched
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from etalase.customers.models import Contact, ContactTag, Note
from etalase.customers.scores import (
    SCORE_COLUMNS,
    ContactPreferences,
    ContactScores,
    contact_preferences_clear_unscored,
    contact_preferences_write,
    contact_scores_write,
)
from etalase.customers.services.aggregates import contact_scores_set
from etalase.directory.models import Business
from etalase.engagement.enums import CommentKind
from etalase.engagement.models import Comment
from etalase.insights.customers.facts import (
    bounds_store,
    business_bounds,
    counted_orders,
    nightly_scored_at,
    nightly_scored_store,
    order_fact_aggregates,
    order_facts_all,
    preferences_compute,
    raw_rows,
    recently_active,
)
from etalase.insights.customers.scoring import (
    BLANK_SCORES,
    WINDOW_DAYS,
    OrderFacts,
    RfmBounds,
    bounds_from_facts,
    info_known,
    info_score,
    info_score_expression,
    median_gap_of,
    order_scores,
    order_scores_row,
    personal_score,
)
from etalase.insights.customers.selectors import summaries_forget

WRITE_CHUNK = 2_000
"""Contacts whose preferences are computed and written together."""

ORDERS, PROFILE, PREFERENCES = "orders", "profile", "preferences"
EVERY_PART = frozenset({ORDERS, PROFILE, PREFERENCES})


# --- one contact -----------------------------------------------------------------------------------


def contact_scores_compute(
    *, contact: Contact, now: dt.datetime | None = None, parts: frozenset[str] = EVERY_PART
) -> dict[str, Any]:
    """The scores of one contact, for :func:`contact_scores_recompute` (a handful of indexed queries).

    ``parts`` limits the work to what an activity can have changed: ``orders`` (RFM, segment, churn
    risk, and the individual-service score, which counts orders taken by staff), ``profile`` (the
    information and individual-service scores) and ``preferences``.
    """
    now = now or timezone.now()
    business = contact.business
    if contact.merged_into_id or contact.erased_at:
        return {**BLANK_SCORES, "info_score": 0, "personal_score": 0, "preferences": {}, "scores_at": now}
    scores: dict[str, Any] = {"scores_at": now}
    if ORDERS in parts or PROFILE in parts:
        fact = _contact_order_facts(contact, now=now)
        if ORDERS in parts:
            bounds, median_gap = business_bounds(business, now=now)
            scores.update(order_scores(fact, now=now, bounds=bounds, median_gap=median_gap))
        scores["info_score"] = info_score(_contact_known(contact))
        scores["personal_score"] = _contact_personal_score(contact, staff_orders=fact.staff_orders)
    if PREFERENCES in parts:
        scores["preferences"] = preferences_compute(business, [(contact.pk, contact.user_id)], now=now)[contact.pk]
    return scores


def contact_scores_recompute(
    *, contact: Contact, now: dt.datetime | None = None, parts: frozenset[str] = EVERY_PART
) -> dict[str, Any]:
    """Recompute and store one contact's scores (through the customers app's ``contact_scores_set``)."""
    scores = contact_scores_compute(contact=contact, now=now, parts=parts)
    contact_scores_set(contact_id=contact.pk, **scores)
    return scores


def _contact_order_facts(contact: Contact, *, now: dt.datetime) -> OrderFacts:
    row = (
        counted_orders(contact.business_id)
        .filter(contact=contact)
        .aggregate(**order_fact_aggregates(now - dt.timedelta(days=WINDOW_DAYS)))
    )
    return OrderFacts(
        row["orders"], row["first"], row["last"], row["recent_orders"], row["recent_paid"] or 0, row["staff_orders"]
    )


def _contact_known(contact: Contact) -> dict[str, bool]:
    return info_known(
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        city=contact.city,
        address=contact.address,
        birthday=contact.birthday,
        consent=contact.consent or {},
    )


def _contact_personal_score(contact: Contact, *, staff_orders: int) -> int:
    answered = 0
    if contact.user_id:
        answered = (
            Comment.objects.filter(
                business_id=contact.business_id, kind=CommentKind.ANSWER, parent__author_id=contact.user_id
            )
            .values("parent_id")
            .distinct()
            .count()
        )
    return personal_score(
        notes=Note.objects.filter(contact=contact).count(),
        tags=ContactTag.objects.filter(contact=contact).count(),
        staff_orders=staff_orders,
        answered_questions=answered,
        stage_set_by_staff=contact.stage_set_by_staff,
    )


# --- every contact of a business: the nightly pass ---------------------------------------------------


@dataclass
class RecomputeResult:
    business: str
    contacts: int = 0
    with_orders: int = 0
    changed: int = 0
    preferences: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


PREFERENCE_MODES = ("recent", "all", "none")

NIGHT_HOURS = range(1, 5)
"""The nightly pass runs between 01:00 and 04:59 in the business's timezone (``customer_scores --due``)."""
NIGHTLY_AGAIN_AFTER = dt.timedelta(hours=20)


def nightly_due(business: Business, *, now: dt.datetime | None = None) -> bool:
    """Whether the nightly pass should score ``business`` now: it is night there, and the business was
    not scored in the last 20 hours. A lost cache only means one pass too many (it is idempotent)."""
    now = now or timezone.now()
    if now.astimezone(ZoneInfo(business.timezone)).hour not in NIGHT_HOURS:
        return False
    last = nightly_scored_at(business)
    return last is None or now - last >= NIGHTLY_AGAIN_AFTER


def customer_scores_recompute(
    *,
    business: Business,
    now: dt.datetime | None = None,
    preferences: str = "recent",
    recent_hours: int = 26,
) -> RecomputeResult:
    """Score every contact of ``business`` and store what changed (the nightly pass).

    Five aggregate queries read everything (orders per contact, contacts, notes, tags, answered
    questions); scores are computed in Python; only changed rows are written, through the customers
    app's bulk writer (:func:`etalase.customers.scores.contact_scores_write`). ``scores_at`` is when a
    contact's scores last changed: rewriting it on 200,000 unchanged rows every night would cost
    more than the rest of the pass. The quintile bounds and the median gap are cached for the
    activity handler; the time of the pass is cached too (``facts.nightly_scored_at``).

    Not one transaction: reading and scoring 200,000 contacts takes seconds, and on SQLite a write
    transaction held that long would make the shop's own writes wait. Reads run first, then the
    writes go in short transactions. Every write is a recomputation, so a pass interrupted half-way
    leaves correct scores and older ones, never wrong ones; a contact rescored by the handler while
    the pass runs may get the pass's values, computed a few seconds earlier, until its next activity
    or the next night.

    ``preferences``: ``recent`` recomputes the preferences of contacts with a view, favourite or order
    in the last ``recent_hours`` (the handler keeps favourites and orders current during the day);
    ``all`` recomputes every contact's (slower: reads a year of views); ``none`` leaves them.
    """
    if preferences not in PREFERENCE_MODES:
        raise ValueError(preferences)
    now = now or timezone.now()
    result = RecomputeResult(business=business.slug)
    lap = _stopwatch(result.seconds)

    facts = order_facts_all(business, now)
    bounds = bounds_from_facts(facts.values(), now=now, currency=business.currency)
    median_gap = median_gap_of(facts.values())
    bounds_store(business.pk, bounds, median_gap)
    result.with_orders = len(facts)
    lap("orders")

    signals = _personal_signals(business)
    lap("signals")

    scoring = _scores_changed(business, facts, signals, bounds=bounds, median_gap=median_gap, now=now)
    result.contacts = scoring.contacts
    lap("compute")

    result.changed = contact_scores_write(business=business, scores=scoring.changed)
    contact_preferences_clear_unscored(business=business)
    summaries_forget(business)
    lap("write")

    if preferences != "none":
        targets = scoring.scored
        if preferences == "recent":
            targets = recently_active(business, targets, since=now - dt.timedelta(hours=recent_hours))
        result.preferences = _preferences_write(business, targets, now=now)
    lap("preferences")
    nightly_scored_store(business, now=now)
    return result


def _stopwatch(seconds: dict[str, float]) -> Callable[[str], None]:
    """A lap timer: each call records the seconds since the previous one under its name."""
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        seconds[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    return lap


@dataclass(frozen=True)
class PersonalSignals:
    """What the individual-service score counts, for every contact of a business at once."""

    notes: dict[int, int]
    """Contact id → notes."""
    tags: dict[int, int]
    """Contact id → tags."""
    answered: dict[int, int]
    """User id → their questions the shop answered."""


def _personal_signals(business: Business) -> PersonalSignals:
    def per_contact(model: type[Note] | type[ContactTag]) -> dict[int, int]:
        return dict(
            model.objects.filter(business=business)
            .values("contact_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("contact_id", "n")
        )

    answered = dict(
        Comment.objects.filter(business=business, kind=CommentKind.ANSWER)
        .values("parent__author_id")
        .annotate(n=Count("parent_id", distinct=True))
        .order_by()
        .values_list("parent__author_id", "n")
    )
    return PersonalSignals(notes=per_contact(Note), tags=per_contact(ContactTag), answered=answered)


class ScoringPass(NamedTuple):
    changed: list[ContactScores]
    """The contacts whose scores changed, with their new scores."""
    scored: list[tuple[int, int | None]]
    """The (contact id, user id) of the contacts that are scored (neither merged nor erased)."""
    contacts: int
    """Every contact of the business, merged and erased ones included."""


CLEARED: tuple[Any, ...] = (0, 0, 0, "", None, 0, 0)
"""The scores of a merged or erased contact."""
NO_ORDERS: tuple[Any, ...] = (0, 0, 0, "", None)


def _scores_changed(
    business: Business,
    facts: dict[int, OrderFacts],
    signals: PersonalSignals,
    *,
    bounds: RfmBounds,
    median_gap: float | None,
    now: dt.datetime,
) -> ScoringPass:
    """Score every contact from the facts read before; keep the rows whose scores changed.

    The hot loop of the pass: the information score comes from the database
    (:func:`info_score_expression`) and the order scores from :func:`order_scores_row`.
    """
    rows = (
        Contact.objects.filter(business=business)
        .annotate(info=info_score_expression())
        .values_list("id", "user_id", "stage_set_by_staff", "merged_into_id", "erased_at", *SCORE_COLUMNS, "info")
    )
    result = ScoringPass(changed=[], scored=[], contacts=0)
    contacts = 0
    for contact_id, user_id, stage_by_staff, merged_into_id, erased_at, *current, info in raw_rows(rows):
        contacts += 1
        if merged_into_id or erased_at:
            new: tuple[Any, ...] = CLEARED
        else:
            result.scored.append((contact_id, user_id))
            fact = facts.get(contact_id)
            personal = personal_score(
                notes=signals.notes.get(contact_id, 0),
                tags=signals.tags.get(contact_id, 0),
                staff_orders=fact.staff_orders if fact else 0,
                answered_questions=signals.answered.get(user_id, 0) if user_id else 0,
                stage_set_by_staff=bool(stage_by_staff),
            )
            order_part = order_scores_row(fact, now, bounds, median_gap) if fact else NO_ORDERS
            new = (*order_part, info, personal)
        if tuple(current) != new:
            result.changed.append(ContactScores._make((contact_id, *new, now)))
    return result._replace(contacts=contacts)


def _preferences_write(business: Business, targets: Sequence[tuple[int, int | None]], *, now: dt.datetime) -> int:
    written = 0
    for chunk in batched(targets, WRITE_CHUNK):
        computed = preferences_compute(business, chunk, now=now)
        current = dict(Contact.objects.filter(pk__in=list(computed)).values_list("pk", "preferences"))
        written += contact_preferences_write(
            business=business,
            preferences=[
                ContactPreferences(contact_id, value)
                for contact_id, value in computed.items()
                if current.get(contact_id) != value
            ],
        )
    return written
