from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web app")
    API = "api", _("API")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    COUNTER = "counter", _("At the counter")
    ADMIN = "admin", _("Operator")
    SYSTEM = "system", _("System")
