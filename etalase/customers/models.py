"""The business's own record of each customer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etalase.core.models import TimeStampedModel
from etalase.core.storage import private_storage
from etalase.customers.enums import (
    AuditAction,
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    ContactSource,
    ImportStatus,
    PrivacyRequestKind,
    RfmSegment,
    Stage,
)


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
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=ContactSource, default=ContactSource.APP)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage, default=Stage.INTERESTED)
    stage_set_by_staff = models.BooleanField(default=False, editable=False)
    tags = models.ManyToManyField("customers.Tag", through="customers.ContactTag", related_name="contacts", blank=True)
    # Current consent per channel and purpose, e.g. {"whatsapp_marketing": true}; the ledger is Consent.
    consent = models.JSONField(_("consent"), default=dict, blank=True, editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)

    # Aggregates kept current from activities (orders, payments, favourites...).
    orders_count = models.PositiveIntegerField(_("orders"), default=0, editable=False)
    spent_minor = models.BigIntegerField(_("total spent"), default=0, editable=False)
    first_order_at = models.DateTimeField(_("first order"), null=True, blank=True, editable=False)
    last_order_at = models.DateTimeField(_("last order"), null=True, blank=True, editable=False)
    favourites_count = models.PositiveIntegerField(_("favourites"), default=0, editable=False)
    preferences = models.JSONField(_("preferences"), default=dict, blank=True, editable=False)

    # Scores, recomputed as activity arrives and nightly (1–5 each; 0 while unknown).
    rfm_recency = models.PositiveSmallIntegerField(default=0, editable=False)
    rfm_frequency = models.PositiveSmallIntegerField(default=0, editable=False)
    rfm_monetary = models.PositiveSmallIntegerField(default=0, editable=False)
    rfm_segment = models.CharField(_("RFM segment"), max_length=16, choices=RfmSegment, blank=True, editable=False)
    churn_risk = models.PositiveSmallIntegerField(_("churn risk"), null=True, blank=True, editable=False)
    info_score = models.PositiveSmallIntegerField(_("information completeness"), default=0, editable=False)
    personal_score = models.PositiveSmallIntegerField(_("individual service"), default=0, editable=False)
    scores_at = models.DateTimeField(null=True, blank=True, editable=False)

    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

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
        indexes = [
            models.Index(fields=["business", "-last_seen_at", "-id"], name="contact_business_seen"),
            models.Index(fields=["business", "stage", "-last_seen_at"], name="contact_business_stage"),
            models.Index(fields=["business", "rfm_segment", "-last_seen_at"], name="contact_business_rfm"),
            models.Index(fields=["business", "-spent_minor", "-id"], name="contact_business_spent"),
            models.Index(fields=["business", "city", "-last_seen_at"], name="contact_business_city"),
            models.Index(fields=["business", "name"], name="contact_business_name"),
            models.Index(fields=["business", "-orders_count", "-id"], name="contact_business_orders"),
            models.Index(fields=["business", "info_score", "personal_score"], name="contact_business_info"),
            models.Index(fields=["business", "personal_score"], name="contact_business_personal"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.phone or self.email or str(_("Customer"))


class Tag(models.Model):
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("tag"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="tag_unique_per_business")]

    def __str__(self) -> str:
        return self.name


class ContactTag(models.Model):
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "tag"], name="contact_tag_once")]
        indexes = [models.Index(fields=["business", "tag"], name="contact_tag_business")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.tag_id}"


class Note(models.Model):
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.body[:40]


class Consent(models.Model):
    """The consent ledger: each grant or withdrawal, when and how. Contact.consent holds the current state."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=16, choices=ConsentChannel)
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("how"), max_length=16, choices=ConsentSource)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    occurred_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose}: {self.granted}"


class Segment(TimeStampedModel):
    """A saved, dynamic filter over the contact list (marketing targets it later)."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="segment_unique_name")]

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """Who looked at, exported, changed or erased customer data (owners read this log)."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=AuditAction)
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["business", "-created_at"], name="audit_business_time")]

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"


class ImportJob(models.Model):
    """One upload of contacts (CSV, XLSX or vCard): mapping, progress and a per-row report."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", storage=private_storage)
    filename = models.CharField(max_length=200)
    file_format = models.CharField(max_length=8)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ImportStatus, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    report = models.FileField(upload_to="imports/%Y/%m/", storage=private_storage, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status == ImportStatus.RUNNING

    @property
    def is_done(self) -> bool:
        return self.status == ImportStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == ImportStatus.FAILED


class PrivacyRequest(models.Model):
    """A customer's request under the personal data protection law: a download or an erasure."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=16, choices=PrivacyRequestKind)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d}"
