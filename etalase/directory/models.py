from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from etalase.core.models import TimeStampedModel
from etalase.directory.enums import BusinessStatus, InvitationStatus, Role


class Category(models.Model):
    """A business field (batik, coffee shop, phone repair...), optionally under a parent field."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("business field")
        verbose_name_plural = _("business fields")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_id


class Business(TimeStampedModel):
    """The tenant: every tenant-owned row elsewhere carries its ``business_id``."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("web address"), max_length=64, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("business field"), on_delete=models.PROTECT, related_name="businesses"
    )
    city = models.CharField(_("city"), max_length=80, db_index=True)
    whatsapp = models.CharField(_("WhatsApp number"), max_length=20)
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/%m/", blank=True)
    description = models.CharField(_("short description"), max_length=300, blank=True)
    cover = models.ImageField(_("cover picture"), upload_to="covers/%Y/%m/", blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # {"mon": [["08:00", "17:00"]], ...}; a day missing or empty is closed.
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    search_text = models.TextField(blank=True, default="", editable=False)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Jakarta")
    currency = models.CharField(_("currency"), max_length=3, default="IDR")
    status = models.CharField(_("status"), max_length=16, choices=BusinessStatus, default=BusinessStatus.ACTIVE)
    is_verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        indexes = [models.Index(fields=["category", "city"], name="business_category_city")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == BusinessStatus.ACTIVE


class Membership(TimeStampedModel):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["business", "user"], name="membership_unique_member")]

    def __str__(self) -> str:
        return f"{self.user} · {self.business} · {self.get_role_display()}"


class Invitation(TimeStampedModel):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="invitations")
    phone = models.CharField(_("phone number"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email address"), blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=16, choices=Role)
    status = models.CharField(_("status"), max_length=16, choices=InvitationStatus, default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(phone="") | ~Q(email=""), name="invitation_has_phone_or_email")
        ]

    def __str__(self) -> str:
        return f"{self.phone or self.email} → {self.business}"

    @property
    def identifier(self) -> str:
        return self.phone or self.email
