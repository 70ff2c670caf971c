from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    INDONESIAN = "id", _("Bahasa Indonesia")
    ENGLISH = "en", _("English")


class Verb(models.TextChoices):
    SIGNED_UP = "signed_up", _("signed up")
    LOGGED_IN = "logged_in", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed to log in")
    TOKEN_CREATED = "api_token_created", _("created an API token")
    TOKEN_REVOKED = "api_token_revoked", _("revoked an API token")
    PHONE_VERIFIED = "phone_verified", _("verified a phone number")
    EMAIL_VERIFIED = "email_verified", _("verified an email address")
    PASSWORD_RESET = "password_reset", _("reset the password")


class CodePurpose(models.TextChoices):
    VERIFY = "verify", _("verification")
    PASSWORD_RESET = "password_reset", _("password reset")


class CodeChannel(models.TextChoices):
    PHONE = "phone", _("SMS")
    EMAIL = "email", _("email")
