"""Approval rules' amounts get a currency: existing rules are in their seller's base currency
(what they were meant in), and a rule without one is refused by the database."""

from typing import Any

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def in_base_currency(apps: Any, schema_editor: Any) -> None:
    """Each existing rule takes its seller's base currency."""
    rule_model = apps.get_model("orders", "ApprovalRule")
    seller_model = apps.get_model("core", "Seller")
    base = seller_model.objects.filter(pk=OuterRef("seller_id")).values("base_currency")[:1]
    rule_model.objects.update(currency=Subquery(base))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_seller_base_currency"),
        ("orders", "0007_order_fx_rate"),
    ]

    operations = [
        migrations.AddField(
            model_name="approvalrule",
            name="currency",
            field=models.CharField(default="USD", max_length=3),
            preserve_default=False,
        ),
        migrations.RunPython(in_base_currency, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="approvalrule",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.Exact(
                    django.db.models.functions.text.Length("currency"), 3
                ),
                name="approval_rule_currency_given",
            ),
        ),
    ]
