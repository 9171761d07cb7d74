# Photos on return requests, exchanges (outcome, replacement lines, the exchange order) and
# the policy's ship_exchange_at_once.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_tax_category"),
        ("core", "0005_seller_base_currency"),
        ("customers", "0006_credit_deposit"),
        ("orders", "0010_backorder_fill_and_short_close"),
        ("returns", "0001_returns"),
    ]

    operations = [
        migrations.AddField(
            model_name="returnpolicy",
            name="ship_exchange_at_once",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="returnrequest",
            name="exchange_order",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.order",
            ),
        ),
        migrations.AddField(
            model_name="returnrequest",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("credit", "A credit note"),
                    ("exchange", "An exchange for replacement goods"),
                ],
                default="credit",
                max_length=10,
            ),
        ),
        migrations.CreateModel(
            name="ReplacementLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("line_number", models.PositiveIntegerField()),
                ("quantity", models.PositiveIntegerField()),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="replacements",
                        to="returns.returnrequest",
                    ),
                ),
                (
                    "sku",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.sku",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.tenant",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("request", "line_number"), name="replacement_line_number_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("quantity__gte", 1)),
                        name="replacement_quantity_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReturnPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField()),
                ("image", models.FileField(max_length=200, upload_to="")),
                ("thumbnail", models.FileField(max_length=200, upload_to="")),
                ("content_type", models.CharField(max_length=20)),
                ("size", models.PositiveIntegerField()),
                ("width", models.PositiveIntegerField()),
                ("height", models.PositiveIntegerField()),
                ("uploaded_at", models.DateTimeField()),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="returns.returnrequest",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.tenant",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="customers.companyuser",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("request", "number"), name="return_photo_number_unique"
                    )
                ],
            },
        ),
    ]
