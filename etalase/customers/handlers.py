"""Every customer act at a business makes (or finds) that business's contact for the customer, and
keeps the contact's aggregates current.

Acts by the business's own members are not customer acts. Views only refresh "last seen" of a
contact that already exists: looking at a shop window does not put a person in the shop's books.
Orders, payments and cancellations (recorded with the order's ``contact_id``, whoever did them) and
favourites recount the contact from its activities, so processing one twice changes nothing.
"""

from typing import cast

from etalase.accounts.enums import Verb as AccountVerb
from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.activity.services import data_contact_id
from etalase.customers.enums import Verb, upper_verbs
from etalase.customers.models import Contact
from etalase.customers.services.aggregates import contact_aggregates_recompute
from etalase.customers.services.contacts import contact_for_user, contact_seen
from etalase.directory.models import Membership


def contact_on_activity(activity: Activity) -> None:
    if activity.business_id is None:
        return
    verbs = upper_verbs()
    if activity.verb in verbs.aggregated_orders or activity.verb == Verb.CONTACT_MERGED:
        contact_id = data_contact_id(activity.data)
        if contact_id is not None and Contact.objects.filter(pk=contact_id, business_id=activity.business_id).exists():
            contact_aggregates_recompute(contact_id=contact_id)
    if activity.actor_id is None or activity.business is None:
        return
    if activity.verb == AccountVerb.SIGNED_UP:
        return
    if Membership.objects.filter(business_id=activity.business_id, user_id=activity.actor_id).exists():
        return
    if activity.verb in verbs.views:
        contact = Contact.objects.filter(business_id=activity.business_id, user_id=activity.actor_id).first()
    else:
        contact = contact_for_user(business=activity.business, user=cast(User, activity.actor))  # actor_id is set
    if contact is None:
        return
    if contact.merged_into_id is not None:
        contact = Contact.objects.filter(pk=contact.merged_into_id).first() or contact
    contact_seen(contact_id=contact.pk, seen_at=activity.occurred_at)
    if activity.verb in verbs.favourites:
        contact_aggregates_recompute(contact_id=contact.pk)
