"""What customers do with shops and products: follow, favourite, comment and ask."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etalase.engagement.enums import CommentKind


class Follow(models.Model):
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["user", "business"], name="follow_unique")]
        indexes = [models.Index(fields=["business", "-created_at"], name="follow_business_time")]

    def __str__(self) -> str:
        return f"{self.user} → {self.business}"


class Favourite(models.Model):
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="favourites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="favourite_unique")]
        indexes = [models.Index(fields=["user", "-created_at"], name="favourite_user_time")]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.product}"


class Comment(models.Model):
    """A comment or question on a product; staff answers point at the question as ``parent``.

    ``author`` is empty only when the customer who wrote it had their data erased at the shop while
    the shop had answered it: the answer stays readable under a question with no text and no author
    (see ``privacy``).
    """

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="answers")
    kind = models.CharField(_("kind"), max_length=16, choices=CommentKind, default=CommentKind.COMMENT)
    body = models.TextField(_("text"), max_length=2000)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["product", "created_at"], name="comment_product_time")]

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def is_question(self) -> bool:
        return self.kind == CommentKind.QUESTION

    @property
    def is_erased(self) -> bool:
        """Its author's words and identity were removed at their request (pages show a placeholder)."""
        return self.author_id is None
