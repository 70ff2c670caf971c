"""Every customer act at a business makes (or finds) that business's contact for the customer.

Acts by the business's own members are not customer acts. Views only refresh "last seen" of a
contact that already exists: looking at a shop window does not put a person in the shop's books.
"""

from django.db.models import Q

from etalase.activity.models import Activity
from etalase.customers.models import Contact
from etalase.customers.services import contact_for_user
from etalase.directory.models import Membership

VIEW_VERBS = frozenset({"viewed_business", "viewed_product"})
"""The catalog's view verbs (named here because catalog and customers sit side by side)."""


def contact_on_activity(activity: Activity) -> None:
    if activity.business_id is None or activity.actor_id is None or activity.business is None:
        return
    if activity.verb == "signed_up":
        return
    if Membership.objects.filter(business_id=activity.business_id, user_id=activity.actor_id).exists():
        return
    if activity.verb in VIEW_VERBS:
        contact = Contact.objects.filter(business_id=activity.business_id, user_id=activity.actor_id).first()
    else:
        contact = contact_for_user(business=activity.business, user=activity.actor)
    if contact is None:
        return
    # Idempotent and order-independent: last seen only moves forward.
    Contact.objects.filter(pk=contact.pk).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=activity.occurred_at)
    ).update(last_seen_at=activity.occurred_at)
