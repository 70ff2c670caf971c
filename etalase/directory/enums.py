from django.db import models
from django.utils.translation import gettext_lazy as _

TIMEZONE_CHOICES = [
    ("Asia/Jakarta", _("Western Indonesia (WIB, Jakarta)")),
    ("Asia/Makassar", _("Central Indonesia (WITA, Makassar)")),
    ("Asia/Jayapura", _("Eastern Indonesia (WIT, Jayapura)")),
    ("Asia/Singapore", _("Singapore")),
    ("Asia/Kuala_Lumpur", _("Malaysia")),
    ("UTC", _("UTC")),
]


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")
    SUPPORT = "support", _("Support")
    TECHNICIAN = "technician", _("Technician")
    CASHIER = "cashier", _("Cashier")


class BusinessStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


class Verb(models.TextChoices):
    BUSINESS_REGISTERED = "business_registered", _("registered the business")
    BUSINESS_UPDATED = "business_updated", _("updated the business profile")
    BUSINESS_VERIFIED = "business_verified", _("verified the business")
    BUSINESS_SUSPENDED = "business_suspended", _("suspended the business")
    BUSINESS_REINSTATED = "business_reinstated", _("reinstated the business")
    MEMBER_INVITED = "member_invited", _("invited a member")
    INVITATION_REVOKED = "invitation_revoked", _("revoked an invitation")
    INVITATION_DECLINED = "invitation_declined", _("declined an invitation")
    MEMBER_JOINED = "member_joined", _("joined the team")
    MEMBER_ROLE_CHANGED = "member_role_changed", _("changed a member's role")
    MEMBER_REMOVED = "member_removed", _("removed a member")
