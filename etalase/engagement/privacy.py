"""What engagement adds to a customer's data download and erasure at one shop (UU PDP).

The customers app asks for it through its registries (``EngagementConfig.ready``). Engagement rows
belong to an app account, so the person is the contact's account and the accounts of contacts
merged into it, as on the contact's timeline. Other shops' rows are never read or touched.
"""

import re
from collections import Counter
from typing import Any

import phonenumbers
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.catalog.services import product_counters_adjust
from etalase.customers.models import Contact
from etalase.engagement.enums import CommentKind
from etalase.engagement.models import Comment, Favourite, Follow

ERASED_TEXT = _("Removed at the customer's request.")
"""Shown instead of an erased customer's comment or question that the shop had answered."""

REDACTED = "…"
"""What replaces the person's name, phone, email or quoted words in the shop's answers to them."""

NAME_PART_MIN_LENGTH = 3
"""Shorter parts of a name ("Bu", "Al") are too often ordinary words to be taken out of answers."""

QUOTE_MIN_LENGTH = 20
"""A question's text found in an answer is a quote once it is this long (a bare "Ada?" is not)."""


def _person(contact: Contact) -> tuple[list[Contact], list[int]]:
    """The contact and those merged into it, and their app accounts."""
    merged = list(Contact.objects.filter(business_id=contact.business_id, merged_into=contact).exclude(pk=contact.pk))
    contacts = [contact, *merged]
    users = sorted({each.user_id for each in contacts if each.user_id is not None})
    return contacts, users


def _comments_of(business_id: int, users: list[int]) -> Any:
    """The person's own comments and questions at the shop (answers are the shop's words)."""
    return Comment.objects.filter(business_id=business_id, author_id__in=users, parent__isnull=True)


def engagement_personal_data(contact: Contact) -> list[dict[str, Any]]:
    """The person's follow of the shop, favourites of its products and their comments and questions.

    One row per thing, each with its ``kind``: ``follow``, ``favourite``, ``comment`` or ``question``.
    """
    _contacts, users = _person(contact)
    if not users:
        return []
    business_id = contact.business_id
    rows: list[dict[str, Any]] = [
        {"kind": "follow", "following_since": follow.created_at}
        for follow in Follow.objects.filter(business_id=business_id, user_id__in=users).order_by("created_at", "pk")
    ]
    favourites = (
        Favourite.objects.filter(business_id=business_id, user_id__in=users)
        .select_related("product")
        .order_by("created_at", "pk")
    )
    rows += [
        {
            "kind": "favourite",
            "product_id": favourite.product_id,
            "product": favourite.product.title,
            "favourited_at": favourite.created_at,
        }
        for favourite in favourites
    ]
    answered = Comment.objects.filter(parent=OuterRef("pk"), is_hidden=False)
    comments = (
        _comments_of(business_id, users)
        .select_related("product")
        .annotate(is_answered=Exists(answered))
        .order_by("created_at", "pk")
    )
    rows += [
        {
            "kind": comment.kind,
            "product_id": comment.product_id,
            "product": comment.product.title,
            "text": comment.body,
            "written_at": comment.created_at,
            "is_hidden": comment.is_hidden,
            "is_answered": comment.is_answered,
        }
        for comment in comments
    ]
    return rows


def _identifiers(contacts: list[Contact], users: list[int]) -> list[str]:
    """What names or reaches the person: names, their longer parts, phones and emails."""
    found: set[str] = set()
    people: list[tuple[str | None, str | None, str | None]] = [(each.name, each.phone, each.email) for each in contacts]
    people += list(User.objects.filter(pk__in=users).values_list("name", "phone", "email"))
    for name, phone, email in people:
        name = (name or "").strip()
        if name:
            found.add(name)
            found.update(part for part in name.split() if len(part) >= NAME_PART_MIN_LENGTH)
        if email:
            found.add(email)
        if phone:
            found.update(_phone_forms(phone))
    return sorted(found, key=len, reverse=True)


def _phone_forms(e164: str) -> set[str]:
    """The ways a member may have written a stored number: +6281234567890, +62 812-3456-7890,
    0812-3456-7890, 081234567890."""
    forms = {e164}
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return forms
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    forms |= {
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        national,
        "".join(ch for ch in national if ch.isdigit()),
    }
    return forms


def _redact(text: str, needles: list[str]) -> str:
    """``text`` with every whole-word occurrence of a needle (any case) replaced by ``REDACTED``."""
    for needle in needles:
        text = re.sub(rf"(?<!\w){re.escape(needle)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text


def engagement_personal_data_erase(contact: Contact) -> None:
    """Remove the person's follow and favourites at the shop and their words in its comments.

    Counters stay right: ``Product.favourite_count`` and ``comment_count`` go down through the
    catalog's ``product_counters_adjust`` as the services do, the follower count is counted from
    the rows, and the contact's kept favourite count becomes what a recount gives once the
    erasure has unlinked their activities: zero. No follow or favourite activity is recorded: the
    erasure is the act, recorded once by the customers app, and a recorded "unfollowed" would name
    the account again and read as a lost follower.

    A comment or question nobody answered is deleted. One the shop answered keeps its place, so the
    answer still reads under it, with no text and no author; in those answers the person's name,
    phone, email and their quoted words become "…". Running it again finds nothing more to do.
    """
    contacts, users = _person(contact)
    if not users:
        return
    business_id = contact.business_id

    Follow.objects.filter(business_id=business_id, user_id__in=users).delete()

    favourites = list(
        Favourite.objects.select_for_update()
        .filter(business_id=business_id, user_id__in=users)
        .values_list("pk", "product_id")
    )
    if favourites:
        Favourite.objects.filter(pk__in=[pk for pk, _product in favourites]).delete()
        for product_id, count in Counter(product for _pk, product in favourites).items():
            product_counters_adjust(product_id=product_id, favourites=-count)

    comments = list(
        _comments_of(business_id, users)
        .select_for_update()
        .annotate(has_answers=Exists(Comment.objects.filter(parent=OuterRef("pk"))))
        .only("pk", "product_id", "body", "is_hidden")
    )
    unanswered = [comment for comment in comments if not comment.has_answers]
    answered = [comment for comment in comments if comment.has_answers]
    if unanswered:
        Comment.objects.filter(pk__in=[comment.pk for comment in unanswered]).delete()
        counted = Counter(comment.product_id for comment in unanswered if not comment.is_hidden)
        for product_id, count in counted.items():
            product_counters_adjust(product_id=product_id, comments=-count)
    if answered:
        quoted = [comment.body.strip() for comment in answered if len(comment.body.strip()) >= QUOTE_MIN_LENGTH]
        needles = sorted({*quoted, *_identifiers(contacts, users)}, key=len, reverse=True)
        answers = list(
            Comment.objects.filter(parent__in=[comment.pk for comment in answered], kind=CommentKind.ANSWER).only(
                "pk", "body"
            )
        )
        for answer in answers:
            answer.body = _redact(answer.body, needles)
        Comment.objects.bulk_update(answers, ["body"])
        Comment.objects.filter(pk__in=[comment.pk for comment in answered]).update(body="", author=None)
