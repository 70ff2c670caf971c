"""The business's own record of each customer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etalase.core.models import TimeStampedModel
from etalase.customers.enums import ContactSource


class Contact(TimeStampedModel):
    """One person as one business knows them: an app user, a phone number, a walk-in.

    Found again by user, E.164 phone or email (each unique within the business), so one person is
    one contact.
    """

    business = models.ForeignKey(
        "directory.Business", on_delete=models.CASCADE, related_name="contacts", verbose_name=_("business")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("app account"),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True, help_text=_("E.164, e.g. +6281234567890"))
    email = models.EmailField(_("email"), blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=ContactSource, default=ContactSource.APP)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "user"], condition=Q(user__isnull=False), name="contact_one_per_user"
            ),
            models.UniqueConstraint(fields=["business", "phone"], condition=~Q(phone=""), name="contact_one_per_phone"),
            models.UniqueConstraint(fields=["business", "email"], condition=~Q(email=""), name="contact_one_per_email"),
        ]
        indexes = [models.Index(fields=["business", "-last_seen_at"], name="contact_business_seen")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.phone or self.email or str(_("Customer"))
