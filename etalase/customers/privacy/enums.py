from django.db import models
from django.utils.translation import gettext_lazy as _


class PrivacyVerb(models.TextChoices):
    """The activity privacy records besides the customers app's ``contact_erased``."""

    DATA_DOWNLOADED = "contact_data_downloaded", _("downloaded their personal data")


ERASED_NAME = "Erased customer"
"""What an erased contact's name becomes (pages show the translated label for erased contacts)."""

PERSONAL_ACTIVITY_KEYS = frozenset(
    {
        # Free text a person wrote or that describes them.
        "customer_name",
        "name",
        "from_name",
        "excerpt",
        "body",
        "text",
        "comment",
        "reason",
        "note",
        # Ways to reach or find them.
        "phone",
        "email",
        "address",
        "delivery_address",
        "city",
        "identifier",
        "visitor",
    }
)
"""Keys of ``Activity.data`` that hold personal data; an erasure removes them from the person's rows.

Verbs, targets, amounts (``amount_minor``), numbers, product ids and dates stay for the books.
"""

USER_ID_ACTIVITY_KEYS = frozenset({"customer_id", "asked_by", "author", "user_id"})
"""Keys of ``Activity.data`` that hold a customer's user id; an erasure removes the link."""
