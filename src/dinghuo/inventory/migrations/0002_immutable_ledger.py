"""The database itself refuses to change or remove a stock movement (on SQLite only to
change it: the test runner's flush empties tables with DELETE). The trigger's SQL is
`core.immutable`'s (the same statements this migration always ran)."""

from django.db import migrations

from dinghuo.core.immutable import ImmutableTable

LEDGER = ImmutableTable(
    table="inventory_stockmovement",
    name="inventory_movement_immutable",
    message="stock movements are immutable",
)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(LEDGER.install, LEDGER.remove)]
