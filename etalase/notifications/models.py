"""Notifications, each person's preferences for them, and the devices that receive web push."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.notifications.enums import Kind, Priority


class Notification(models.Model):
    """One item in a person's notification centre.

    Ids only grow, and a person's ids grow in commit order (see ``services``): the live stream sends
    every id above the last one the client saw. A burst is one row: when another favourite arrives,
    the unread row of its ``group_key`` is replaced by a new row with a higher id and the count plus
    one, so a connected client receives the new total and drops the row it ``replaces``.

    ``occurred_at`` is when the act happened (a burst's latest act), not when the worker got to it:
    the centre shows and sorts by it, so an act processed late still reads "2 hours ago" and sits
    among its contemporaries. ``created_at`` is when the row was written (the stream's order).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    business = models.ForeignKey(
        "directory.Business",
        verbose_name=_("business"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a customer's personal notification."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority, default=Priority.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("text"), max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    group_key = models.CharField(max_length=200, blank=True, default="")
    count = models.PositiveIntegerField(_("count"), default=1)
    activity = models.ForeignKey(
        "activity.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activity_ids = models.JSONField(default=list, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "id"], name="notification_recipient_id"),
            models.Index(fields=["recipient", "-occurred_at", "-id"], name="notification_recipient_time"),
            models.Index(fields=["recipient", "-id"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["recipient", "group_key"],
                condition=Q(read_at__isnull=True) & ~Q(group_key=""),
                name="notification_open_group",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotifiedActivity(models.Model):
    """Marks an activity the notification handler has turned into notifications: processing it again
    finds the mark and creates nothing."""

    activity = models.OneToOneField("activity.Activity", on_delete=models.CASCADE, primary_key=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notified activity")
        verbose_name_plural = _("notified activities")

    def __str__(self) -> str:
        return str(self.activity_id)


class NotificationPreference(models.Model):
    """A person's choices for one business they work in, or (``business`` empty) for themselves as a
    customer. Without a row, the defaults in ``rules`` apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    business = models.ForeignKey(
        "directory.Business", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channels = models.JSONField(
        _("channels"), default=dict, blank=True, help_text=_("For each kind, the channels it goes to.")
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    digest_enabled = models.BooleanField(_("daily summary"), default=False)
    digest_hour = models.PositiveSmallIntegerField(_("summary hour"), default=18)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "business"], condition=Q(business__isnull=False), name="preference_unique_business"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(business__isnull=True), name="preference_unique_personal"
            ),
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="preference_digest_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} / {self.business_id or '-'}"


class PushSubscription(models.Model):
    """One browser on one device that agreed to receive web push (its PushSubscription)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.CharField(_("endpoint"), max_length=500, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    failure_count = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"
