"""Writes to contacts: found again by user, phone or email, so one person is one contact.

Every write keeps ``Contact.search_text`` current (:func:`contact_search_text`), so the list searches one
normalised column. Aggregates (orders, spent, favourites, stage) are recomputed from the contact's
activities (:func:`contact_aggregates_recompute`), which makes processing an activity twice harmless.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import phonenumbers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.services import activity_contact_repoint, activity_record
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.core.phones import InvalidPhoneNumber, phone_normalize
from etalase.core.text import text_normalize
from etalase.customers.enums import (
    AuditAction,
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    ContactSource,
    RfmSegment,
    Stage,
    Verb,
    upper_verbs,
)
from etalase.customers.filters import FILTER_NAMES, InvalidFilter, contact_filter_parse
from etalase.customers.models import (
    AuditEntry,
    Consent,
    Contact,
    ContactTag,
    Note,
    PrivacyRequest,
    Segment,
    Tag,
)

STAFF_STAGES = frozenset({Stage.VIP, Stage.INACTIVE})
STAGE_AUTO = "auto"
TAG_MAX_LENGTH = 40
TAGS_PER_CONTACT = 30
BULK_MAX = 1000
NOTE_MAX_LENGTH = 2000
VIEW_AUDIT_INTERVAL = dt.timedelta(hours=1)
SEGMENT_FILTER_NAMES = frozenset(FILTER_NAMES)  # the sort is accepted and left out
EDITABLE_FIELDS = ("name", "phone", "email", "city", "address", "birthday")


def _clean_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except Exception as exc:
        message = _("Enter a valid email address.")
        raise ValidationError(message, fields={"email": message}) from exc
    return email


def _clean_phone(raw: str) -> str:
    if not (raw or "").strip():
        return ""
    try:
        return phone_normalize(raw)
    except InvalidPhoneNumber as exc:
        raise ValidationError(exc.message, code=exc.code, fields={"phone": exc.message}) from exc


def _clean_birthday(value: dt.date | None) -> dt.date | None:
    if value is None:
        return None
    today = timezone.localdate()
    if value > today or value.year < 1900:
        message = _("Enter a birthday between 1900 and today.")
        raise ValidationError(message, fields={"birthday": message})
    return value


_UNSET: Any = object()


def _details_clean(
    *, name: str, phone: str, email: str, city: str, address: str, birthday: dt.date | None = _UNSET
) -> dict[str, Any]:
    """A contact's details as stored: trimmed, the phone in E.164, the email in lower case, the birthday
    checked (left out, it stays out). At least a name, a phone number or an email is needed."""
    details: dict[str, Any] = {"name": (name or "").strip()[:120], "phone": _clean_phone(phone)}
    details["email"] = _clean_email(email)
    if birthday is not _UNSET:
        details["birthday"] = _clean_birthday(birthday)
    if not (details["name"] or details["phone"] or details["email"]):
        message = _("Give at least a name, a phone number or an email.")
        raise ValidationError(message, fields={"name": message})
    details["city"] = " ".join((city or "").split())[:80]
    details["address"] = (address or "").strip()[:300]
    return details


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _phone_spellings(e164: str) -> list[str]:
    """The digits of a number as people write it: 6281234567890, 081234567890, 81234567890."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in e164 if ch.isdigit())
        return [digits] if digits else []
    national = str(number.national_number)
    return [f"{number.country_code}{national}", f"0{national}", national]


def contact_search_text(contact: Contact) -> str:
    """The one normalised column the list searches: name, email, city words and phone spellings.

    Every token is preceded by a space, so ``contains(" " + word)`` matches the start of a token.
    Import (and anything writing contacts in bulk) calls this too.
    """
    tokens: list[str] = []
    tokens += text_normalize(contact.name).split()
    if contact.email:
        tokens.append(contact.email.lower())
        tokens += text_normalize(contact.email.split("@", 1)[0]).split()
    if contact.phone:
        tokens += _phone_spellings(contact.phone)
    tokens += text_normalize(contact.city).split()
    seen: set[str] = set()
    unique = [token for token in tokens if not (token in seen or seen.add(token))]  # type: ignore[func-returns-value]
    return " " + " ".join(unique) + " " if unique else ""


def _surviving(contact: Contact) -> Contact:
    """The contact that ``contact`` was merged into (following a chain), or itself."""
    for _hop in range(10):
        if contact.merged_into_id is None:
            return contact
        following = Contact.objects.filter(pk=contact.merged_into_id).first()
        if following is None:
            return contact
        contact = following
    return contact


@transaction.atomic
def contact_for_user(*, business: Any, user: Any) -> Contact:
    """The business's contact for an app user, created on the first interaction.

    A contact added earlier by staff with the same phone or email becomes this user's contact; a
    contact merged into another answers with the one it was merged into.
    """
    contact = Contact.objects.filter(business=business, user=user).first()
    if contact is not None:
        return _surviving(contact)
    matches = Q(pk__in=[])
    if user.phone:
        matches |= Q(phone=user.phone)
    if user.email:
        matches |= Q(email=user.email.lower())
    contact = (
        Contact.objects.select_for_update()
        .filter(matches, business=business, user__isnull=True, merged_into__isnull=True)
        .first()
    )
    if contact is not None:
        contact.user = user
        contact.name = contact.name or user.name
        contact.search_text = contact_search_text(contact)
        contact.save(update_fields=["user", "name", "search_text", "updated_at"])
        return contact
    try:
        with transaction.atomic():
            contact = Contact(
                business=business,
                user=user,
                name=user.name or "",
                phone=user.phone or "",
                email=(user.email or "").lower(),
                source=ContactSource.APP,
            )
            contact.search_text = contact_search_text(contact)
            contact.save()
            return contact
    except IntegrityError:
        # Someone else created it at the same moment, or the phone/email belongs to another contact.
        existing = Contact.objects.filter(business=business, user=user).first()
        if existing is not None:
            return _surviving(existing)
        contact = Contact(business=business, user=user, name=user.name or "", source=ContactSource.APP)
        contact.search_text = contact_search_text(contact)
        contact.save()
        return contact


@transaction.atomic
def contact_create(
    *,
    business: Any,
    name: str,
    phone: str = "",
    email: str = "",
    city: str = "",
    address: str = "",
    birthday: dt.date | None = None,
    source: str = ContactSource.STAFF,
    actor: Any = None,
    channel: str = Channel.WEB,
) -> Contact:
    """Add a contact by hand; a phone or email the business already knows answers with that contact.

    With an ``actor`` (a member adding the contact) a ``contact_created`` activity is recorded.
    """
    details = _details_clean(name=name, phone=phone, email=email, city=city, address=address, birthday=birthday)
    matches = Q(pk__in=[])
    if details["phone"]:
        matches |= Q(phone=details["phone"])
    if details["email"]:
        matches |= Q(email=details["email"])
    existing = Contact.objects.filter(matches, business=business).first()
    if existing is not None:
        return _surviving(existing)
    contact = Contact(business=business, source=source, **details)
    contact.search_text = contact_search_text(contact)
    contact.save()
    if _actor(actor) is not None:
        activity_record(
            verb=Verb.CONTACT_CREATED,
            business=business,
            actor=actor,
            target=contact,
            channel=channel,
            data={"contact_id": contact.pk, "name": contact.display_name},
        )
    return contact


def contact_touch(*, contact: Contact) -> None:
    """Remember that the contact was just active."""
    Contact.objects.filter(pk=contact.pk).update(last_seen_at=timezone.now())


def contact_seen(*, contact_id: int, seen_at: dt.datetime) -> None:
    """Remember an act of the contact at ``seen_at``; idempotent and order-independent, since last seen
    only moves forward."""
    Contact.objects.filter(pk=contact_id).filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=seen_at)).update(
        last_seen_at=seen_at
    )


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    name: str,
    phone: str = "",
    email: str = "",
    city: str = "",
    address: str = "",
    birthday: dt.date | None = _UNSET,
    actor: Any = None,
) -> Contact:
    """Edit a contact; a phone or email that belongs to another contact of the business is refused.

    ``birthday`` left out keeps the stored one. With an ``actor`` the change is written to the audit log.
    """
    details = _details_clean(name=name, phone=phone, email=email, city=city, address=address, birthday=birthday)
    others = Contact.objects.filter(business_id=contact.business_id).exclude(pk=contact.pk)
    if details["phone"] and others.filter(phone=details["phone"]).exists():
        message = _("Another customer already has this phone number.")
        raise ValidationError(message, code="duplicate", fields={"phone": message})
    if details["email"] and others.filter(email=details["email"]).exists():
        message = _("Another customer already has this email.")
        raise ValidationError(message, code="duplicate", fields={"email": message})
    before = {key: str(getattr(contact, key) or "") for key in EDITABLE_FIELDS}
    for key, value in details.items():
        setattr(contact, key, value)
    contact.search_text = contact_search_text(contact)
    contact.save(update_fields=["name", "phone", "email", "city", "address", "birthday", "search_text", "updated_at"])
    changed = sorted(key for key, value in before.items() if str(getattr(contact, key) or "") != value)
    if _actor(actor) is not None and changed:
        audit_record(
            business=contact.business,
            actor=actor,
            action=AuditAction.EDITED,
            contact=contact,
            detail={"fields": changed},
        )
    return contact


# --- merge ---------------------------------------------------------------------------------------


def _merge_users(keep: Contact) -> list[int]:
    """App accounts of ``keep`` and of every contact merged into it (their acts are keep's timeline)."""
    users = [keep.user_id] if keep.user_id else []
    users += [
        user_id
        for user_id in Contact.objects.filter(merged_into=keep, user__isnull=False).values_list("user_id", flat=True)
        if user_id
    ]
    return users


def _merge_check(*, business: Any, keep: Contact, other: Contact) -> tuple[Contact, Contact]:
    """Both contacts, locked, once they may be merged (else a domain error)."""
    if keep.business_id != business.pk or other.business_id != business.pk:
        raise ValidationError(_("Only customers of the same business can be merged."), code="different_business")
    if keep.pk == other.pk:
        raise ValidationError(_("Choose two different customers to merge."), code="same_contact")
    locked = {
        row.pk: row for row in Contact.objects.select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")
    }
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.merged_into_id or other.merged_into_id:
        raise Conflict(_("One of these customers was already merged into another."), code="already_merged")
    if keep.erased_at or other.erased_at:
        raise ValidationError(_("A customer whose personal data was erased cannot be merged."), code="erased_contact")
    return keep, other


def _merge_details(keep: Contact, other: Contact) -> None:
    """``keep``'s details win; its blanks are filled from ``other``."""
    # Unique phone, email and account: take them from ``other`` only where ``keep`` has none.
    moved: dict[str, Any] = {}
    for field_name in ("phone", "email"):
        if not getattr(keep, field_name) and getattr(other, field_name):
            moved[field_name] = getattr(other, field_name)
    if keep.user_id is None and other.user_id is not None:
        moved["user_id"] = other.user_id
    if moved:
        Contact.objects.filter(pk=other.pk).update(
            **{key: (None if key == "user_id" else "") for key in moved}, updated_at=timezone.now()
        )
        for key, value in moved.items():
            setattr(keep, key, value)
            setattr(other, key, None if key == "user_id" else "")
    for field_name in ("name", "city", "address", "birthday"):
        if not getattr(keep, field_name) and getattr(other, field_name):
            setattr(keep, field_name, getattr(other, field_name))
    if other.last_seen_at and (keep.last_seen_at is None or other.last_seen_at > keep.last_seen_at):
        keep.last_seen_at = other.last_seen_at
    if not keep.stage_set_by_staff and other.stage_set_by_staff:
        keep.stage, keep.stage_set_by_staff = other.stage, True
    keep.created_at = min(keep.created_at, other.created_at)
    keep.search_text = contact_search_text(keep)
    keep.save()


def _merge_rows(*, business: Any, keep: Contact, other: Contact) -> None:
    """Everything about ``other`` becomes ``keep``'s: notes, tags, consent, requests, audit, activities."""
    Note.objects.filter(contact=other).update(contact=keep)
    kept_tags = set(ContactTag.objects.filter(contact=keep).values_list("tag_id", flat=True))
    ContactTag.objects.filter(contact=other, tag_id__in=kept_tags).delete()
    ContactTag.objects.filter(contact=other).update(contact=keep)
    Consent.objects.filter(contact=other).update(contact=keep)
    PrivacyRequest.objects.filter(contact=other).update(contact=keep)
    AuditEntry.objects.filter(contact=other).update(contact=keep)
    Contact.objects.filter(merged_into=other).update(merged_into=keep)
    activity_contact_repoint(business=business, from_contact_id=other.pk, to_contact_id=keep.pk)


@transaction.atomic
def contact_merge(*, business: Any, keep: Contact, other: Contact, actor: Any, channel: str = Channel.WEB) -> Contact:
    """Merge ``other`` into ``keep``: one person, one contact, nothing of either lost.

    ``keep``'s details win; blanks are filled from ``other``. Notes, tags, the consent ledger, privacy
    requests and audit lines move to ``keep``; activities about ``other`` are re-pointed (their data
    keeps ``merged_from_contact_id``); ``other`` is marked merged and leaves every list. The
    ``contact_merged`` activity (data ``from_contact_id``, ``into_contact_id``) lets the orders app move
    ``other``'s orders. Two businesses' contacts are never merged.
    """
    keep, other = _merge_check(business=business, keep=keep, other=other)
    _merge_details(keep, other)
    _merge_rows(business=business, keep=keep, other=other)
    other.merged_into = keep
    other.search_text = ""
    other.save(update_fields=["merged_into", "search_text", "updated_at"])
    _consent_state_refresh(keep)
    activity_record(
        verb=Verb.CONTACT_MERGED,
        business=business,
        actor=_actor(actor),
        target=keep,
        channel=channel,
        data={
            "contact_id": keep.pk,
            "from_contact_id": other.pk,
            "into_contact_id": keep.pk,
            "from_name": other.display_name,
        },
    )
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.MERGED,
        contact=keep,
        detail={"from_contact_id": other.pk, "into_contact_id": keep.pk},
    )
    contact_aggregates_recompute(contact_id=keep.pk)
    keep.refresh_from_db()
    return keep


# --- aggregates ----------------------------------------------------------------------------------


def _stage_for(orders_count: int) -> str:
    if orders_count >= 2:
        return Stage.REPEAT
    if orders_count == 1:
        return Stage.CUSTOMER
    return Stage.INTERESTED


class _Tally:
    """One contact's orders, payments and favourites, folded from activity rows in any order."""

    def __init__(self) -> None:
        self.verbs = upper_verbs()
        self.ordered: dict[str, dt.datetime] = {}
        self.cancelled: set[str] = set()
        self.payments: dict[str, int] = {}
        self.favourites: dict[str, tuple[dt.datetime, int, bool]] = {}

    def add_order_act(self, activity_id: int, verb: str, target_id: str, data: Any, occurred_at: dt.datetime) -> None:
        data = data if isinstance(data, dict) else {}
        # The order's number (unique in the business) pairs an order with its cancellation.
        order_key = str(data.get("number") or target_id or data.get("order_id") or f"a{activity_id}")
        if verb == self.verbs.ordered:
            self.ordered[order_key] = min(occurred_at, self.ordered.get(order_key, occurred_at))
        elif verb == self.verbs.cancelled:
            self.cancelled.add(order_key)
        elif verb == self.verbs.payment_confirmed or (verb == self.verbs.paid and data.get("confirmed") is True):
            amount = data.get("amount_minor")
            if isinstance(amount, int) and not isinstance(amount, bool):
                self.payments[str(data.get("payment_id") or f"a{activity_id}")] = amount

    def add_favourite_act(self, activity_id: int, verb: str, target_id: str, occurred_at: dt.datetime) -> None:
        latest = self.favourites.get(target_id)
        if latest is None or (occurred_at, activity_id) > latest[:2]:
            self.favourites[target_id] = (occurred_at, activity_id, verb == self.verbs.favourited)

    def values(self, *, stage_set_by_staff: bool) -> dict[str, Any]:
        placed = sorted(when for key, when in self.ordered.items() if key not in self.cancelled)
        values: dict[str, Any] = {
            "orders_count": len(placed),
            "spent_minor": sum(self.payments.values()),
            "first_order_at": placed[0] if placed else None,
            "last_order_at": placed[-1] if placed else None,
            "favourites_count": sum(1 for *_when, favourite in self.favourites.values() if favourite),
        }
        if not stage_set_by_staff:
            values["stage"] = _stage_for(len(placed))
        return values


ORDER_ROW = ("id", "verb", "target_id", "data", "occurred_at")
FAVOURITE_ROW = ("id", "verb", "target_id", "occurred_at")


def contact_aggregates_recompute(*, contact_id: int) -> Contact | None:
    """Recount a contact's orders, money spent, favourites and stage from its activities.

    Idempotent by construction: the result depends only on the activity rows, so an activity
    processed twice (or out of order) counts once. Orders: each ``ordered`` order not ``cancelled``;
    spent: confirmed payments (``paid`` confirmed at once, or ``payment_confirmed``), once per payment;
    favourites: products whose latest favourite act is ``favourited``. Contacts merged into this one
    count too.
    """
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        return None
    contact = _surviving(contact)
    ids = [contact.pk, *Contact.objects.filter(merged_into=contact).values_list("pk", flat=True)]
    tally = _Tally()
    about = Activity.objects.filter(business_id=contact.business_id, contact_id__in=ids)
    for row in about.filter(verb__in=upper_verbs().aggregated_orders).values_list(*ORDER_ROW):
        tally.add_order_act(*row)
    users = _merge_users(contact)
    if users:
        favourites = Activity.objects.filter(
            business_id=contact.business_id, actor_id__in=users, verb__in=upper_verbs().favourites
        )
        for row in favourites.values_list(*FAVOURITE_ROW):
            tally.add_favourite_act(*row)
    changed = {
        key: value
        for key, value in tally.values(stage_set_by_staff=contact.stage_set_by_staff).items()
        if getattr(contact, key) != value
    }
    if changed:
        Contact.objects.filter(pk=contact.pk).update(**changed)
        for key, value in changed.items():
            setattr(contact, key, value)
    return contact


AGGREGATE_FIELDS = ("orders_count", "spent_minor", "first_order_at", "last_order_at", "favourites_count", "stage")


def contacts_aggregates_rebuild(*, business: Any, batch_size: int = 2000) -> int:
    """Recount every contact of the business in one pass over its activities; returns how many changed.

    For data written in bulk (demo, benchmark, a repair): the same result as
    :func:`contact_aggregates_recompute` for each contact, without one query per contact.
    """
    contacts = {
        row.pk: row
        for row in Contact.objects.filter(business=business).only(
            "pk", "user_id", "merged_into_id", "stage_set_by_staff", *AGGREGATE_FIELDS
        )
    }
    surviving = {pk: _surviving_id(pk, contacts) for pk in contacts}
    by_user = {row.user_id: surviving[pk] for pk, row in contacts.items() if row.user_id}
    tallies: dict[int, _Tally] = {pk: _Tally() for pk in contacts if surviving[pk] == pk}
    verbs = upper_verbs()
    acts = Activity.objects.filter(business=business, verb__in=verbs.aggregated_orders).values_list(*ORDER_ROW)
    for activity_id, verb, target_id, data, occurred_at in acts.iterator(chunk_size=5000):
        contact_id = data.get("contact_id") if isinstance(data, dict) else None
        if contact_id in surviving:
            tallies[surviving[contact_id]].add_order_act(activity_id, verb, target_id, data, occurred_at)
    favourites = Activity.objects.filter(business=business, verb__in=verbs.favourites, actor_id__in=list(by_user))
    for actor_id, *row in favourites.values_list("actor_id", *FAVOURITE_ROW).iterator(chunk_size=5000):
        tallies[by_user[actor_id]].add_favourite_act(*row)
    changed = []
    for pk, tally in tallies.items():
        contact = contacts[pk]
        values = tally.values(stage_set_by_staff=contact.stage_set_by_staff)
        if any(getattr(contact, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(contact, key, value)
            changed.append(contact)
    Contact.objects.bulk_update(changed, list(AGGREGATE_FIELDS), batch_size=batch_size)
    return len(changed)


def _surviving_id(pk: int, contacts: dict[int, Contact]) -> int:
    for _hop in range(10):
        following = contacts[pk].merged_into_id
        if following is None or following not in contacts:
            return pk
        pk = following
    return pk


SCORE_FIELDS = frozenset(
    {
        "rfm_recency",
        "rfm_frequency",
        "rfm_monetary",
        "rfm_segment",
        "churn_risk",
        "info_score",
        "personal_score",
        "preferences",
        "scores_at",
    }
)


def contact_scores_set(*, contact_id: int, **scores: Any) -> None:
    """Store scores computed by customer intelligence (one UPDATE; ``scores_at`` becomes now).

    Accepted: rfm_recency/frequency/monetary (0–5), rfm_segment (an RfmSegment or ""), churn_risk
    (0–100 or None), info_score and personal_score (0–100), preferences (a dict: ``products`` [{id,
    title, score}], ``categories`` [{slug, name_id, name_en, score}]), scores_at (default now).
    """
    unknown = set(scores) - SCORE_FIELDS
    if unknown:
        raise TypeError(f"Unknown score fields: {sorted(unknown)}")
    for key in ("rfm_recency", "rfm_frequency", "rfm_monetary"):
        if key in scores and not (isinstance(scores[key], int) and 0 <= scores[key] <= 5):
            raise ValueError(f"{key} must be an integer from 0 to 5")
    for key in ("info_score", "personal_score", "churn_risk"):
        value = scores.get(key)
        if (
            key in scores
            and not (value is None and key == "churn_risk")
            and not (isinstance(value, int) and 0 <= value <= 100)
        ):
            raise ValueError(f"{key} must be an integer from 0 to 100")
    if "rfm_segment" in scores and scores["rfm_segment"] not in ("", *RfmSegment.values):
        raise ValueError("rfm_segment must be an RfmSegment value")
    if "preferences" in scores and not isinstance(scores["preferences"], dict):
        raise ValueError("preferences must be a dict")
    scores.setdefault("scores_at", timezone.now())
    Contact.objects.filter(pk=contact_id).update(**scores)


# --- stage ---------------------------------------------------------------------------------------


@transaction.atomic
def contact_stage_set(*, contact: Contact, stage: str, actor: Any) -> Contact:
    """Staff mark a contact VIP or inactive (it sticks), or ``"auto"``: the stage follows the orders again."""
    if stage in STAFF_STAGES:
        contact.stage, contact.stage_set_by_staff = stage, True
        Contact.objects.filter(pk=contact.pk).update(stage=stage, stage_set_by_staff=True, updated_at=timezone.now())
    elif stage == STAGE_AUTO:
        contact.stage_set_by_staff = False
        Contact.objects.filter(pk=contact.pk).update(stage_set_by_staff=False, updated_at=timezone.now())
        recomputed = contact_aggregates_recompute(contact_id=contact.pk)
        if recomputed is not None:
            contact.stage = recomputed.stage
    else:
        message = _("Choose VIP, inactive or automatic (interested, customer and repeat follow the orders).")
        raise ValidationError(message, code="invalid_stage", fields={"stage": message})
    audit_record(
        business=contact.business, actor=actor, action=AuditAction.EDITED, contact=contact, detail={"stage": stage}
    )
    return contact


# --- tags ----------------------------------------------------------------------------------------


def _tag_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        message = _("Give the tag a name.")
        raise ValidationError(message, code="invalid_tag", fields={"tag": message})
    if len(name) > TAG_MAX_LENGTH:
        problem = _("A tag has at most %(limit)s characters.") % {"limit": TAG_MAX_LENGTH}
        raise ValidationError(problem, code="invalid_tag", fields={"tag": problem})
    return name


def _tag_for(business_id: int, name: str) -> Tag:
    """The business's tag called ``name`` in any case, made on first use."""
    tag = Tag.objects.filter(business_id=business_id, name__iexact=name).order_by("pk").first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(business_id=business_id, name=name)
    except IntegrityError:
        return Tag.objects.get(business_id=business_id, name=name)


@transaction.atomic
def contact_tags_set(*, contact: Contact, names: Sequence[str], actor: Any) -> list[Tag]:
    """Give the contact exactly these tags (made on first use; case does not make a new tag)."""
    cleaned: dict[str, str] = {}
    for raw in names:
        name = _tag_name(raw)
        cleaned.setdefault(name.casefold(), name)
    if len(cleaned) > TAGS_PER_CONTACT:
        message = _("A customer has at most %(limit)s tags.") % {"limit": TAGS_PER_CONTACT}
        raise ValidationError(message, code="too_many_tags", fields={"tags": message})
    tags = [_tag_for(contact.business_id, name) for name in cleaned.values()]
    wanted = {tag.pk for tag in tags}
    ContactTag.objects.filter(contact=contact).exclude(tag_id__in=wanted).delete()
    ContactTag.objects.bulk_create(
        [ContactTag(business_id=contact.business_id, contact=contact, tag_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )
    return sorted(tags, key=lambda tag: tag.name.casefold())


@transaction.atomic
def contact_tag_add(*, contact: Contact, name: str, actor: Any) -> Tag:
    tag = _tag_for(contact.business_id, _tag_name(name))
    ContactTag.objects.bulk_create(
        [ContactTag(business_id=contact.business_id, contact=contact, tag=tag)], ignore_conflicts=True
    )
    return tag


@transaction.atomic
def contact_tag_remove(*, contact: Contact, tag_id: int, actor: Any) -> None:
    ContactTag.objects.filter(contact=contact, tag_id=tag_id).delete()


@transaction.atomic
def contacts_tag_bulk(*, business: Any, contact_ids: Iterable[int], tag: str, actor: Any) -> int:
    """Tag many contacts of the business at once; returns how many of them carry the tag now.

    Ids of another business, of merged contacts or of nobody are ignored.
    """
    ids = sorted({int(pk) for pk in contact_ids})
    if not ids:
        message = _("Choose at least one customer.")
        raise ValidationError(message, code="nothing_chosen", fields={"contact_ids": message})
    if len(ids) > BULK_MAX:
        problem = _("Tag at most %(limit)s customers at once.") % {"limit": BULK_MAX}
        raise ValidationError(problem, code="too_many", fields={"contact_ids": problem})
    the_tag = _tag_for(business.pk, _tag_name(tag))
    found = list(
        Contact.objects.filter(business=business, pk__in=ids, merged_into__isnull=True).values_list("pk", flat=True)
    )
    ContactTag.objects.bulk_create(
        [ContactTag(business_id=business.pk, contact_id=pk, tag=the_tag) for pk in found], ignore_conflicts=True
    )
    return len(found)


# --- notes ---------------------------------------------------------------------------------------


@transaction.atomic
def note_add(*, contact: Contact, author: Any, body: str, channel: str = Channel.WEB) -> Note:
    text = (body or "").strip()
    if not text:
        message = _("Write the note first.")
        raise ValidationError(message, fields={"body": message})
    if len(text) > NOTE_MAX_LENGTH:
        problem = _("A note has at most %(limit)s characters.") % {"limit": NOTE_MAX_LENGTH}
        raise ValidationError(problem, fields={"body": problem})
    note = Note.objects.create(business_id=contact.business_id, contact=contact, author=_actor(author), body=text)
    activity_record(
        verb=Verb.NOTE_ADDED,
        business=contact.business,
        actor=_actor(author),
        target=contact,
        channel=channel,
        data={"contact_id": contact.pk, "note_id": note.pk, "excerpt": text[:80]},
    )
    return note


# --- consent -------------------------------------------------------------------------------------


def _consent_state_refresh(contact: Contact) -> None:
    """Contact.consent from the ledger: the latest decision per channel and purpose."""
    state: dict[str, bool] = {}
    for channel, purpose, granted in (
        Consent.objects.filter(contact=contact)
        .order_by("occurred_at", "pk")
        .values_list("channel", "purpose", "granted")
    ):
        state[f"{channel}_{purpose}"] = granted
    contact.consent = state
    Contact.objects.filter(pk=contact.pk).update(consent=state)


@transaction.atomic
def consent_set(
    *,
    contact: Contact,
    channel: str,
    purpose: str,
    granted: bool,
    source: str,
    actor: Any = None,
    occurred_at: dt.datetime | None = None,
    activity_channel: str = Channel.WEB,
) -> Consent:
    """Record that the contact gave (or withdrew) consent for a channel and purpose; it applies at once."""
    problems: dict[str, Any] = {}
    if channel not in ConsentChannel.values:
        problems["channel"] = _("Choose a channel.")
    if purpose not in ConsentPurpose.values:
        problems["purpose"] = _("Choose a purpose.")
    if source not in ConsentSource.values:
        problems["source"] = _("Choose how the consent was given.")
    if not isinstance(granted, bool):
        problems["granted"] = _("Say whether consent was given or withdrawn.")
    when = occurred_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        problems["occurred_at"] = _("The date cannot be in the future.")
    if problems:
        raise ValidationError(_("The consent could not be recorded."), code="invalid_consent", fields=problems)
    Contact.objects.select_for_update().filter(pk=contact.pk).first()
    entry = Consent.objects.create(
        business_id=contact.business_id,
        contact=contact,
        channel=channel,
        purpose=purpose,
        granted=granted,
        source=source,
        recorded_by=_actor(actor),
        occurred_at=when,
    )
    _consent_state_refresh(contact)
    activity_record(
        verb=Verb.CONSENT_CHANGED,
        business=contact.business,
        actor=_actor(actor),
        target=contact,
        channel=activity_channel,
        data={
            "contact_id": contact.pk,
            "channel": channel,
            "purpose": purpose,
            "granted": granted,
            "source": source,
        },
    )
    return entry


# --- segments ------------------------------------------------------------------------------------


@transaction.atomic
def segment_save(
    *, business: Any, name: str, filters: dict[str, Any], actor: Any, segment: Segment | None = None
) -> Segment:
    """Save the list's filters under a name (or change a saved segment); the sort is not part of it."""
    clean_name = " ".join((name or "").split())
    if not clean_name:
        message = _("Give the segment a name.")
        raise ValidationError(message, fields={"name": message})
    if len(clean_name) > 80:
        message = _("A segment name has at most 80 characters.")
        raise ValidationError(message, fields={"name": message})
    unknown = sorted(str(key)[:40] for key in filters if key not in SEGMENT_FILTER_NAMES)
    if unknown:
        raise InvalidFilter(fields={key: _("This is not a filter of the customer list.") for key in unknown})
    stored = contact_filter_parse(filters).as_params(with_sort=False)
    if not stored:
        message = _("Choose at least one filter before saving a segment.")
        raise ValidationError(message, code="no_filters", fields={"filters": message})
    if segment is not None and segment.business_id != business.pk:
        raise NotFound()
    taken = Segment.objects.filter(business=business, name__iexact=clean_name)
    if segment is not None:
        taken = taken.exclude(pk=segment.pk)
    if taken.exists():
        problem = _("There is already a segment called “%(name)s”.") % {"name": clean_name}
        raise Conflict(problem, code="duplicate", fields={"name": problem})
    if segment is None:
        segment = Segment(business=business, created_by=_actor(actor))
    segment.name, segment.filters = clean_name, stored
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:
        problem = _("There is already a segment called “%(name)s”.") % {"name": clean_name}
        raise Conflict(problem, code="duplicate", fields={"name": problem}) from exc
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor: Any) -> None:
    Segment.objects.filter(pk=segment.pk).delete()


# --- audit ---------------------------------------------------------------------------------------


def audit_record(
    *, business: Any, actor: Any, action: str, contact: Contact | None = None, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """Write one line of the customer-data audit log (who viewed, exported, changed or erased what)."""
    return AuditEntry.objects.create(
        business=business,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        contact=contact,
        detail=detail or {},
    )


def contact_view_audit(*, business: Any, actor: Any, contact: Contact) -> bool:
    """Log that a member opened a contact's data: at most once an hour per member and contact.

    True when a line was written.
    """
    if _actor(actor) is None:
        return False
    recent = AuditEntry.objects.filter(
        business=business,
        created_at__gte=timezone.now() - VIEW_AUDIT_INTERVAL,
        actor=actor,
        contact=contact,
        action=AuditAction.VIEWED,
    )
    if recent.exists():
        return False
    audit_record(business=business, actor=actor, action=AuditAction.VIEWED, contact=contact)
    return True
