"""Customer intelligence's reaction to activities: rescore the one contact an activity is about."""

from __future__ import annotations

from etalase.activity.models import Activity
from etalase.core.numbers import is_whole_number
from etalase.customers.enums import Verb as CustomerVerb
from etalase.customers.models import Contact
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.insights.customers.services import (
    EVERY_PART,
    ORDERS,
    PREFERENCES,
    PROFILE,
    contact_scores_recompute,
)
from etalase.orders.enums import Verb as OrderVerb

VERB_PARTS: dict[str, frozenset[str]] = {
    OrderVerb.ORDERED: EVERY_PART,
    OrderVerb.PAYMENT_CONFIRMED: frozenset({ORDERS, PROFILE}),
    OrderVerb.CANCELLED: EVERY_PART,
    CustomerVerb.CONTACT_MERGED: EVERY_PART,
    CustomerVerb.ERASED: EVERY_PART,
    EngagementVerb.FAVOURITED: frozenset({PREFERENCES}),
    EngagementVerb.UNFAVOURITED: frozenset({PREFERENCES}),
    EngagementVerb.ANSWERED: frozenset({PROFILE}),
    CustomerVerb.NOTE_ADDED: frozenset({PROFILE}),
    CustomerVerb.CONSENT_CHANGED: frozenset({PROFILE}),
}
"""What each activity can change, recomputed at once for the one contact it is about (views wait
for the night). Erasure and merging blank the erased or merged contact's scores."""
SCORED_VERBS = frozenset(VERB_PARTS)
_BY_ACTOR = frozenset({EngagementVerb.FAVOURITED, EngagementVerb.UNFAVOURITED})


def _contact_of_activity(activity: Activity) -> Contact | None:
    business_id = activity.business_id
    if business_id is None:
        return None
    contacts = Contact.objects.select_related("business", "business__category").filter(business_id=business_id)
    data = activity.data if isinstance(activity.data, dict) else {}
    contact_id = data.get("contact_id")
    if is_whole_number(contact_id):
        return contacts.filter(pk=contact_id).first()
    if activity.verb in _BY_ACTOR and activity.actor_id:
        return contacts.filter(user_id=activity.actor_id).first()
    if activity.verb == EngagementVerb.ANSWERED:
        asked_by = data.get("asked_by")
        return contacts.filter(user_id=asked_by).first() if is_whole_number(asked_by) else None
    target_type = activity.target_type if activity.target_type_id else None
    if target_type is not None and activity.target_id.isdigit() and target_type.model_class() is Contact:
        return contacts.filter(pk=int(activity.target_id)).first()
    return None


def customer_scores_on_activity(activity: Activity) -> None:
    """The activity handler: recompute the scores of the one contact the activity is about.

    Idempotent (scores are recomputed from the current state). The quintile bounds come from the
    cache the nightly pass fills, so one order does not reshuffle every other customer's scores
    until the night. Registered for every verb (it ignores those outside :data:`SCORED_VERBS`) so
    that it runs after the customers app's own every-verb handler, which creates the contact on a
    customer's first favourite; verb-specific handlers run before every-verb ones.
    """
    parts = VERB_PARTS.get(activity.verb)
    if parts is None:
        return
    contact = _contact_of_activity(activity)
    if contact is not None:
        contact_scores_recompute(contact=contact, parts=parts)
