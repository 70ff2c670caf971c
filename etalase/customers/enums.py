from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactSource(models.TextChoices):
    """How a contact first came to the business."""

    APP = "app", _("Etalase app")
    STAFF = "staff", _("Added by staff")
    IMPORT = "import", _("Imported")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
