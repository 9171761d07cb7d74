"""The database itself refuses to change or remove a stock movement."""

from django.db import migrations

PG_UP = """
CREATE FUNCTION inventory_movement_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are immutable' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inventory_movement_immutable BEFORE UPDATE OR DELETE ON inventory_stockmovement
    FOR EACH ROW EXECUTE FUNCTION inventory_movement_immutable();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS inventory_movement_immutable ON inventory_stockmovement;
DROP FUNCTION IF EXISTS inventory_movement_immutable();
"""
# SQLite empties tables with DELETE when tests flush, so only updates are refused there.
SQLITE_UP = """
CREATE TRIGGER inventory_movement_immutable BEFORE UPDATE ON inventory_stockmovement
BEGIN SELECT RAISE(ABORT, 'stock movements are immutable'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS inventory_movement_immutable;"


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_UP, "sqlite": SQLITE_UP}.get(vendor)
    if sql:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}.get(vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
