from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    QUESTION = "question", _("Question")
    ANSWER = "answer", pgettext_lazy("kind of comment", "Answer")


class Verb(models.TextChoices):
    FOLLOWED = "followed", _("followed the shop")
    UNFOLLOWED = "unfollowed", _("unfollowed the shop")
    FAVOURITED = "favourited", _("favourited a product")
    UNFAVOURITED = "unfavourited", _("removed a favourite")
    COMMENTED = "commented", _("commented on a product")
    ASKED = "asked", _("asked about a product")
    ANSWERED = "answered", _("answered a question")
    COMMENT_HIDDEN = "comment_hidden", _("hid a comment")
    COMMENT_SHOWN = "comment_shown", _("showed a hidden comment again")
    SHARED = "shared", _("shared")


class ShareChannel(models.TextChoices):
    """How a customer passed a link on; told by the client, kept in the SHARED activity's data."""

    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    FACEBOOK = "facebook", _("Facebook")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    COPY = "copy", _("Copied link")
    NATIVE = "native", _("Phone's share menu")
    OTHER = "other", _("Other")


class ShareTarget(models.TextChoices):
    PRODUCT = "product", _("Product")
    BUSINESS = "business", _("Shop")
