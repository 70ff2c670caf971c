"""The activity spine: one append-only row for every act of a customer or staff member.

Foreign keys name higher layers' models lazily, so this app imports none of them.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.activity.enums import Channel


class Activity(models.Model):
    business = models.ForeignKey(
        "directory.Business",
        verbose_name=_("business"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # activity_contact_time below
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    """The business's contact the act is about: a copy of ``data["contact_id"]`` made by ``activity_record``
    (an order taken by staff, a payment, a note), so a contact's timeline reads an index. Acts a customer
    does with an account (views, follows, favourites) are theirs through ``actor``. No constraint: the
    spine keeps its rows whatever becomes of a contact (merges repoint them, erasures keep them)."""
    verb = models.CharField(_("action"), max_length=64)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(_("data"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel, default=Channel.WEB)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    """Set once every handler has succeeded; until then the row is waiting work (the spine is the queue)."""
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0, db_default=0, editable=False)
    """How many times a worker has claimed the row (a claim lost to a killed worker counts too)."""
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, editable=False)
    """None: due at once. A claim moves it to the end of the worker's lease, a failure to the retry time."""
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True, default="", db_default="", editable=False)
    # Database defaults too: bulk writers that insert rows with raw SQL (the benches) name none of these.
    last_error = models.TextField(_("last error"), blank=True, default="", db_default="", editable=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["business", "-occurred_at"], name="activity_business_time"),
            models.Index(fields=["business", "verb", "-occurred_at"], name="activity_business_verb"),
            models.Index(fields=["actor", "-occurred_at"], name="activity_actor_time"),
            models.Index(
                fields=["contact", "-occurred_at", "-id"],
                name="activity_contact_time",
                condition=models.Q(contact__isnull=False),
            ),
            # Waiting work only: a few rows however long the table grows.
            models.Index(fields=["id"], name="activity_unprocessed", condition=models.Q(processed_at__isnull=True)),
            models.Index(
                fields=["business", "id"],
                name="activity_unprocessed_business",
                condition=models.Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class HandlerRun(models.Model):
    """The ledger: one row per handler that has done its work for an activity.

    Written in the same transaction as the handler's work, so a retried activity skips the handlers
    already recorded and no handler's side effects are applied twice. ``handler`` is the handler's
    dotted path (``etalase.insights.handlers.rollups_on_activity``).
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    handler = models.CharField(max_length=200)
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handler run")
        verbose_name_plural = _("handler runs")
        constraints = [models.UniqueConstraint(fields=["activity", "handler"], name="handler_run_once")]

    def __str__(self) -> str:
        return f"{self.handler} @ {self.activity_id}"


class WorkerBeat(models.Model):
    """A running worker process: its heartbeat tells the sweep whose claimed tasks are orphaned."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
