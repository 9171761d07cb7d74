from decimal import Decimal

from django.db import migrations, models

OPEN = ("placed", "confirmed", "partially_shipped")


def prepaid_orders_are_paid_in_full(apps, schema_editor):
    """Orders that waited for payment before deposits existed (prepaid terms) wait for all
    of their total."""
    Order = apps.get_model("orders", "Order")
    for order in Order.objects.filter(status__in=OPEN).only("id", "total", "review_reasons"):
        if "prepaid" in (order.review_reasons or []):
            Order.objects.filter(pk=order.pk).update(prepayment_due=order.total)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_approvalrule_currency"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="prepayment_due",
            field=models.DecimalField(
                db_default=Decimal("0"), decimal_places=4, default=Decimal("0"), max_digits=18
            ),
        ),
        migrations.RunPython(prepaid_orders_are_paid_in_full, migrations.RunPython.noop),
    ]
