from collections import Counter

from django.db import migrations, models


def base_currency_from_price_lists(apps, schema_editor):
    """A seller that existed before base currencies keeps its books in the currency most of
    its price lists are in (USD when it has none)."""
    Seller = apps.get_model("core", "Seller")
    PriceList = apps.get_model("pricing", "PriceList")
    for seller in Seller.objects.all():
        used = Counter(PriceList.objects.filter(seller=seller).values_list("currency", flat=True))
        if used:
            seller.base_currency = used.most_common(1)[0][0]
            seller.save(update_fields=["base_currency"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_sign_in_failures"),
        ("pricing", "0003_tax_rates_and_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="seller",
            name="base_currency",
            field=models.CharField(db_default="USD", default="USD", max_length=3),
        ),
        migrations.RunPython(base_currency_from_price_lists, migrations.RunPython.noop),
    ]
