"""Exchange rates frozen on invoices, credit notes and payments, their amounts in the
seller's base currency, each allocation's value at the rate of its source and of its use, and
what is open on each invoice in base currency.

Existing rows were recorded before rates: rate 1, base amounts equal to the document's. The
database refuses to update issued documents (0002), so the data step lifts those triggers for
the moment of its UPDATEs and puts them back; SQLite also drops a table's triggers when Django
rebuilds the table to add a column, so they are put back in any case (and again after the
columns are removed when migrating backwards).
"""

from decimal import Decimal

from django.db import migrations, models

TABLES = (
    "billing_invoice",
    "billing_invoiceline",
    "billing_creditnote",
    "billing_creditnoteline",
    "billing_payment",
    "billing_allocation",
)
# The rows rate 1 makes equal (table, base column, document column).
FILLS = (
    ("billing_invoice", "base_total", "total"),
    ("billing_creditnote", "base_total", "total"),
    ("billing_payment", "base_amount", "amount"),
    ("billing_allocation", "source_base", "amount"),
    ("billing_allocation", "use_base", "amount"),
    ("billing_receivable", "open_base", "open_amount"),
)
# As in 0002.
PG_TRIGGER = """
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION billing_document_immutable();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END;
"""


def _drop_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable")


def _create_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    template = {"postgresql": PG_TRIGGER, "sqlite": SQLITE_TRIGGER}.get(vendor)
    if template is None:
        return
    for table in TABLES:
        schema_editor.execute(template.format(table=table))


def restore_triggers(apps, schema_editor) -> None:
    """The immutability triggers of 0002, whatever a table rebuild left of them."""
    _drop_triggers(schema_editor)
    _create_triggers(schema_editor)


def fill(apps, schema_editor) -> None:
    """Rows from before rates: base amounts equal to the document's (rate 1)."""
    _drop_triggers(schema_editor)
    for table, base, amount in FILLS:
        # Names from FILLS above, never from input.
        schema_editor.execute(f"UPDATE {table} SET {base} = {amount}")  # noqa: S608
    _create_triggers(schema_editor)


def base_column() -> models.DecimalField:
    return models.DecimalField(decimal_places=4, default=Decimal(0), max_digits=18)


def rate_field() -> models.DecimalField:
    return models.DecimalField(
        decimal_places=10, db_default=Decimal(1), default=Decimal(1), max_digits=20
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_immutable_documents"),
        ("core", "0005_seller_base_currency"),
    ]

    operations = [
        # Backwards this runs last: after SQLite rebuilt the tables without the columns.
        migrations.RunPython(migrations.RunPython.noop, restore_triggers),
        migrations.AddField("invoice", "fx_rate", rate_field()),
        migrations.AddField("invoice", "base_total", base_column(), preserve_default=False),
        migrations.AddField("creditnote", "fx_rate", rate_field()),
        migrations.AddField("creditnote", "base_total", base_column(), preserve_default=False),
        migrations.AddField("payment", "fx_rate", rate_field()),
        migrations.AddField("payment", "base_amount", base_column(), preserve_default=False),
        migrations.AddField("allocation", "source_base", base_column(), preserve_default=False),
        migrations.AddField("allocation", "use_base", base_column(), preserve_default=False),
        migrations.AddField("receivable", "open_base", base_column(), preserve_default=False),
        migrations.AddConstraint(
            "invoice",
            models.CheckConstraint(condition=models.Q(fx_rate__gt=0), name="invoice_fx_positive"),
        ),
        migrations.AddConstraint(
            "creditnote",
            models.CheckConstraint(
                condition=models.Q(fx_rate__gt=0), name="credit_note_fx_positive"
            ),
        ),
        migrations.AddConstraint(
            "payment",
            models.CheckConstraint(condition=models.Q(fx_rate__gt=0), name="payment_fx_positive"),
        ),
        migrations.AddConstraint(
            "receivable",
            models.CheckConstraint(
                condition=models.Q(open_base__gte=0), name="receivable_base_not_negative"
            ),
        ),
        # After the schema changes (which rebuild tables on SQLite); puts the triggers back.
        migrations.RunPython(fill, restore_triggers),
    ]
