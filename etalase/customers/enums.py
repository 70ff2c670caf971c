import functools
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from etalase.activity.registry import verb_named


class ContactSource(models.TextChoices):
    """How a contact first came to the business."""

    APP = "app", _("Etalase app")
    STAFF = "staff", _("Added by staff")
    IMPORT = "import", _("Imported")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Stage(models.TextChoices):
    """Where a contact stands with the business; kept from orders unless staff set VIP or inactive."""

    INTERESTED = "interested", _("Interested")
    CUSTOMER = "customer", _("Customer")
    REPEAT = "repeat", _("Repeat customer")
    VIP = "vip", _("VIP")
    INACTIVE = "inactive", _("Inactive")


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL = "potential", _("Potential loyalist")
    NEW = "new", _("New")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class ConsentChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    PUSH = "push", _("App notifications")


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", _("Promotions and news")
    SERVICE = "service", _("Order and service messages")


class ConsentSource(models.TextChoices):
    """How a consent was given or withdrawn."""

    APP = "app", _("In the app")
    STAFF = "staff", _("Recorded by staff")
    IMPORT = "import", _("Imported")
    KEYWORD = "keyword", _("SMS/WhatsApp keyword")
    API = "api", _("API")


class AuditAction(models.TextChoices):
    VIEWED = "viewed", _("Viewed a customer")
    EXPORTED = "exported", _("Exported customers")
    IMPORTED = "imported", _("Imported customers")
    EDITED = "edited", _("Edited a customer")
    MERGED = "merged", _("Merged customers")
    ERASED = "erased", _("Erased a customer's personal data")
    DOWNLOADED = "downloaded", _("Downloaded a customer's data")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportRowOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    MERGED = "merged", _("Merged into an existing customer")
    REJECTED = "rejected", _("Rejected")


class PrivacyRequestKind(models.TextChoices):
    DOWNLOAD = "download", _("Download my data")
    ERASURE = "erasure", _("Erase my data")


class Verb(models.TextChoices):
    """The activities the customers app records."""

    CONTACT_CREATED = "contact_created", _("was added as a customer")
    CONTACT_MERGED = "contact_merged", _("was merged with another customer")
    NOTE_ADDED = "note_added", _("got a note")
    CONSENT_CHANGED = "consent_changed", _("changed their consent")
    ERASED = "contact_erased", _("had their personal data erased")
    COMPLAINED = "complained", _("made a complaint")
    """A customer's complaint about the shop, about their contact. Customers owns the verb so the
    apps above that take complaints (messaging, helpdesk) record it and notifications reacts to it."""


@dataclass(frozen=True)
class UpperVerbs:
    """The verbs of the apps above customers that customers reads: orders and payments (aggregates, the
    timeline), favourites (aggregates) and views (last seen).

    Those apps sit in higher layers, so customers may not import their ``enums.Verb``
    (ARCHITECTURE.md §3): it names their verbs through the activity registry, where each app registers
    its class, and gets them once the apps are ready (:func:`upper_verbs`).
    """

    ordered: str
    order_status_changed: str
    cancelled: str
    paid: str
    payment_confirmed: str
    payment_rejected: str
    favourited: str
    unfavourited: str
    viewed_business: str
    viewed_product: str

    @property
    def aggregated_orders(self) -> frozenset[str]:
        """The order verbs a contact's orders count and money spent are folded from."""
        return frozenset({self.ordered, self.cancelled, self.paid, self.payment_confirmed})

    @property
    def orders(self) -> frozenset[str]:
        """Every order verb whose data names an order (the timeline links them to the order)."""
        return self.aggregated_orders | {self.order_status_changed, self.payment_rejected}

    @property
    def favourites(self) -> frozenset[str]:
        return frozenset({self.favourited, self.unfavourited})

    @property
    def views(self) -> frozenset[str]:
        return frozenset({self.viewed_business, self.viewed_product})


@functools.cache
def upper_verbs() -> UpperVerbs:
    """The upper apps' verbs, by name from the registry (call once the apps are ready)."""
    names = {
        "orders": (
            "ORDERED",
            "ORDER_STATUS_CHANGED",
            "CANCELLED",
            "PAID",
            "PAYMENT_CONFIRMED",
            "PAYMENT_REJECTED",
        ),
        "engagement": ("FAVOURITED", "UNFAVOURITED"),
        "catalog": ("VIEWED_BUSINESS", "VIEWED_PRODUCT"),
    }
    return UpperVerbs(
        **{name.lower(): verb_named(app_label, name) for app_label, members in names.items() for name in members}
    )
