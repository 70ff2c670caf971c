from django.db import models
from django.utils.translation import gettext_lazy as _


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Answer")


class Verb(models.TextChoices):
    FOLLOWED = "followed", _("followed the shop")
    UNFOLLOWED = "unfollowed", _("unfollowed the shop")
    FAVOURITED = "favourited", _("favourited a product")
    UNFAVOURITED = "unfavourited", _("removed a favourite")
    COMMENTED = "commented", _("commented on a product")
    ASKED = "asked", _("asked about a product")
    ANSWERED = "answered", _("answered a question")
    COMMENT_HIDDEN = "comment_hidden", _("hid a comment")
    SHARED = "shared", _("shared")
