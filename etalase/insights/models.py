"""Daily rollups: what the dashboards read instead of the raw activity table.

``DailyMetric`` holds one row per (business, day, metric) for the whole shop (``product`` empty) and
one per (business, day, metric, product) for products. ``day`` is the calendar day in the business's
own timezone. ``DailyVisitor`` remembers which visitors came on which day, so unique visitors over
any range are a distinct count over small rows. ``AppliedActivity`` is the idempotency ledger: a row
per activity already counted, written in the same transaction as its increments.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etalase.insights.enums import Metric


class DailyMetric(models.Model):
    # The unique constraints below start with the business: no index of its own.
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=32, choices=Metric)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("daily metric")
        verbose_name_plural = _("daily metrics")
        constraints = [
            # NULLs are distinct in unique indexes on both databases: one partial index per kind of row.
            models.UniqueConstraint(
                fields=["business", "day", "metric"], condition=Q(product__isnull=True), name="dailymetric_shop_unique"
            ),
            models.UniqueConstraint(
                fields=["business", "metric", "day", "product"],
                condition=Q(product__isnull=False),
                name="dailymetric_product_unique",
            ),
        ]
        # Partial, so the planner never takes it for the whole-shop rows (product IS NULL).
        indexes = [
            models.Index(fields=["product", "day"], condition=Q(product__isnull=False), name="dailymetric_product_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}={self.value}"


class DailyVisitor(models.Model):
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    visitor_key = models.CharField(_("visitor"), max_length=64)

    class Meta:
        verbose_name = _("daily visitor")
        verbose_name_plural = _("daily visitors")
        constraints = [
            models.UniqueConstraint(fields=["business", "day", "visitor_key"], name="dailyvisitor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.visitor_key}"


class AppliedActivity(models.Model):
    """An activity whose contribution is in the rollups (no foreign key: the spine is append-only)."""

    activity_id = models.BigIntegerField(primary_key=True)
    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+", db_index=False)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("counted activity")
        verbose_name_plural = _("counted activities")
        indexes = [models.Index(fields=["business", "occurred_at"], name="appliedactivity_business_time")]

    def __str__(self) -> str:
        return str(self.activity_id)
