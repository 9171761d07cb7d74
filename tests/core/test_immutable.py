"""The one helper that writes the immutable-table triggers writes, for the stock ledger and
the audit log, the very statements their migrations ran before it existed: a database
migrated then and one migrated now refuse the same changes."""

import importlib

import pytest
from django.db import IntegrityError, connection, transaction

from dinghuo.core.immutable import ImmutableTable

# The statements migrations audit 0002 and inventory 0002 ran when written by hand.
AUDIT_PG = """
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
AUDIT_SQLITE = """
CREATE TRIGGER audit_entry_immutable BEFORE UPDATE ON audit_auditentry
WHEN NOT EXISTS (SELECT 1 FROM audit_erasurepermit)
BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;
"""
LEDGER_PG = """
CREATE FUNCTION inventory_movement_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are immutable' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inventory_movement_immutable BEFORE UPDATE OR DELETE ON inventory_stockmovement
    FOR EACH ROW EXECUTE FUNCTION inventory_movement_immutable();
"""
LEDGER_SQLITE = """
CREATE TRIGGER inventory_movement_immutable BEFORE UPDATE ON inventory_stockmovement
BEGIN SELECT RAISE(ABORT, 'stock movements are immutable'); END;
"""
AUDIT_PG_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_immutable ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_immutable();
"""


def _table(migration: str, name: str) -> ImmutableTable:
    return getattr(importlib.import_module(migration), name)


def test_the_audit_log_and_the_stock_ledger_get_the_statements_they_always_had():
    entries = _table("dinghuo.audit.migrations.0002_immutable_entries", "ENTRIES")
    ledger = _table("dinghuo.inventory.migrations.0002_immutable_ledger", "LEDGER")

    assert entries.install_sql("postgresql") == AUDIT_PG
    assert entries.install_sql("sqlite") == AUDIT_SQLITE
    assert entries.remove_sql("postgresql") == AUDIT_PG_DOWN
    assert entries.remove_sql("sqlite") == "DROP TRIGGER IF EXISTS audit_entry_immutable;"
    assert ledger.install_sql("postgresql") == LEDGER_PG
    assert ledger.install_sql("sqlite") == LEDGER_SQLITE
    assert ledger.install_sql("oracle") == ""


@pytest.mark.django_db(transaction=True)
def test_a_table_the_helper_guards_refuses_updates_and_lets_them_through_while_allowed():
    guarded = ImmutableTable(
        table="scratch_row",
        name="scratch_row_immutable",
        message="scratch rows are immutable",
        updates_while="EXISTS (SELECT 1 FROM scratch_permit)",
    )
    with connection.schema_editor() as editor:
        editor.execute("CREATE TABLE scratch_row (id integer PRIMARY KEY, note text)")
        editor.execute("CREATE TABLE scratch_permit (id integer PRIMARY KEY)")
        guarded.install(None, editor)
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO scratch_row VALUES (1, 'kept')")
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute("UPDATE scratch_row SET note = 'forged'")
            with transaction.atomic():
                cursor.execute("INSERT INTO scratch_permit VALUES (1)")
                cursor.execute("UPDATE scratch_row SET note = 'erased'")
                cursor.execute("DELETE FROM scratch_permit")
            cursor.execute("SELECT note FROM scratch_row")
            assert cursor.fetchone() == ("erased",)
    finally:
        with connection.schema_editor() as editor:
            guarded.remove(None, editor)
            editor.execute("DROP TABLE scratch_row")
            editor.execute("DROP TABLE scratch_permit")
