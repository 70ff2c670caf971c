"""A contact's numbers: orders, money spent, favourites and stage, recomputed from its activities
(:func:`contact_aggregates_recompute`), which makes processing an activity twice harmless; the stage
staff set by hand; the scores customer intelligence computes."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.core.errors import ValidationError
from etalase.core.numbers import is_whole_number
from etalase.customers.enums import AuditAction, RfmSegment, Stage, upper_verbs
from etalase.customers.models import Contact
from etalase.customers.scores import SCORE_COLUMNS
from etalase.customers.services.audit import audit_record
from etalase.customers.services.contacts import contact_surviving
from etalase.directory.models import Business


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
            if is_whole_number(amount):
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


def _merge_users(keep: Contact) -> list[int]:
    """App accounts of ``keep`` and of every contact merged into it (their acts are keep's timeline)."""
    users = [keep.user_id] if keep.user_id else []
    users += [
        user_id
        for user_id in Contact.objects.filter(merged_into=keep, user__isnull=False).values_list("user_id", flat=True)
        if user_id
    ]
    return users


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
    contact = contact_surviving(contact)
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


def contacts_aggregates_rebuild(*, business: Business, batch_size: int = 2000) -> int:
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


STAFF_STAGES = frozenset({Stage.VIP, Stage.INACTIVE})


STAGE_AUTO = "auto"


@transaction.atomic
def contact_stage_set(*, contact: Contact, stage: str, actor: User | None) -> Contact:
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


SCORE_FIELDS = frozenset((*SCORE_COLUMNS, "preferences", "scores_at"))


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
