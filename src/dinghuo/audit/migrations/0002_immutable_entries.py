"""The database itself refuses to change or remove an audit entry.

The one exception: erasing a person's data (`audit.personal_data.erase_person`) rewrites the
entries that name them, inside a transaction holding an `audit_erasurepermit` row. Only that
transaction sees its uncommitted row on PostgreSQL; SQLite has one writer at a time.
"""

from django.db import migrations

PG_UP = """
CREATE FUNCTION audit_entry_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM audit_erasurepermit) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are immutable' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_immutable BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_immutable();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_immutable ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_immutable();
"""
# SQLite empties tables with DELETE when tests flush, so only updates are refused there
# (as for the stock ledger and the billing documents).
SQLITE_UP = """
CREATE TRIGGER audit_entry_immutable BEFORE UPDATE ON audit_auditentry
WHEN NOT EXISTS (SELECT 1 FROM audit_erasurepermit)
BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_entry_immutable;"


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
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
