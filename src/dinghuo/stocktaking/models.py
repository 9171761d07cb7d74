"""Stock counts: a count session of one warehouse (whole, or some categories) and its lines.

Stock itself stays inventory's: a count only records what was found and what the ledger said
at that moment; posting adjusts stock through inventory's services (`count_rules`).

Invariants of one row: a counted quantity is never negative; a line is counted (counted,
on hand at that moment, when) or not counted at all; one line per SKU in a count.
"""

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinghuo.catalog.models import Category, Sku
from dinghuo.core.models import TenantScoped
from dinghuo.inventory.models import Warehouse
from dinghuo.stocktaking.count_states import CountStatus

# How a count's status reads on the pages and in the audit log.
STATUS_WORDS: dict[str, Promise] = {
    CountStatus.OPEN: _("Open"),
    CountStatus.COUNTING: _("Counting"),
    CountStatus.IN_REVIEW: _("In review"),
    CountStatus.POSTED: _("Posted"),
    CountStatus.CANCELLED: _("Cancelled"),
}

REFERENCE_PREFIX = "CNT-"


class StockCount(TenantScoped):
    class Scope(models.TextChoices):
        WHOLE = "whole", _("Whole warehouse")
        CATEGORIES = "categories", _("Chosen categories")

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.WHOLE)
    # With scope "categories": these categories and every category below them.
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    status = models.CharField(
        max_length=12,
        choices=[(s.value, STATUS_WORDS[s]) for s in CountStatus],
        default=CountStatus.OPEN.value,
    )
    note = models.CharField(max_length=200, blank=True, default="")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "id"], name="stock_count_status_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """How the ledger and people name the count: CNT-0000012 (from its id)."""
        return f"{REFERENCE_PREFIX}{self.pk:07d}"


class CountLine(TenantScoped):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    counted = models.IntegerField(null=True, blank=True)
    on_hand_at_count = models.IntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["count", "sku"], name="count_line_unique"),
            models.CheckConstraint(
                condition=models.Q(counted__gte=0), name="count_line_counted_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(counted__isnull=True, on_hand_at_count__isnull=True)
                    | models.Q(counted__isnull=False, on_hand_at_count__isnull=False)
                ),
                name="count_line_counted_with_on_hand",
            ),
        ]

    @property
    def variance(self) -> int | None:
        if self.counted is None or self.on_hand_at_count is None:
            return None
        return self.counted - self.on_hand_at_count
