"""The customer-data audit log: who viewed, exported, changed or erased what."""

import datetime as dt
from typing import Any

from django.utils import timezone

from etalase.accounts.models import User
from etalase.customers.enums import AuditAction
from etalase.customers.models import AuditEntry, Contact
from etalase.directory.models import Business

VIEW_AUDIT_INTERVAL = dt.timedelta(hours=1)


def acting(actor: User | None) -> User | None:
    """The member acting, or None for a call without one (the worker, the demo, a keyword)."""
    return actor if getattr(actor, "pk", None) else None


def audit_record(
    *,
    business: Business,
    actor: User | None,
    action: str,
    contact: Contact | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one line of the customer-data audit log (who viewed, exported, changed or erased what)."""
    return AuditEntry.objects.create(
        business=business,
        actor=acting(actor),
        action=action,
        contact=contact,
        detail=detail or {},
    )


def contact_view_audit(*, business: Business, actor: User | None, contact: Contact) -> bool:
    """Log that a member opened a contact's data: at most once an hour per member and contact.

    True when a line was written.
    """
    if acting(actor) is None:
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
