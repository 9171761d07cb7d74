"""Tables the database itself refuses to change: one trigger per table, written once here
and installed by each owner's migration (the stock ledger, the audit log).

On PostgreSQL a row-level trigger refuses `UPDATE` and `DELETE`; on SQLite only `UPDATE`,
because the test runner's flush empties tables with `DELETE`. `updates_while` names a
condition (an `EXISTS (…)`) under which an update is let through: the audit log's erasure
permit, which only the erasing transaction can see.

A migration that installed a trigger keeps its effect: this module writes the same SQL the
migrations wrote by hand before it existed (tests/core/test_immutable.py pins the text).
"""

from dataclasses import dataclass
from typing import Any

_PG_FUNCTION = """
CREATE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
{exception}    RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""
_PG_EXCEPTION = """    IF TG_OP = 'UPDATE' AND {condition} THEN
        RETURN NEW;
    END IF;
"""
_PG_DROP = """
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""
_SQLITE_TRIGGER = """
CREATE TRIGGER {name} BEFORE UPDATE ON {table}
{when}BEGIN SELECT RAISE(ABORT, '{message}'); END;
"""
_SQLITE_DROP = "DROP TRIGGER IF EXISTS {name};"


@dataclass(frozen=True)
class ImmutableTable:
    """A table whose rows the database refuses to change once written."""

    table: str
    name: str  # of the trigger, and of its function on PostgreSQL
    message: str  # the refusal's text
    updates_while: str = ""  # SQL condition under which an UPDATE is let through

    def install_sql(self, vendor: str) -> str:
        """The statements that install the trigger ("" on a database without triggers)."""
        if vendor == "postgresql":
            exception = (
                _PG_EXCEPTION.format(condition=self.updates_while) if self.updates_while else ""
            )
            return _PG_FUNCTION.format(
                name=self.name, table=self.table, message=self.message, exception=exception
            )
        if vendor == "sqlite":
            when = f"WHEN NOT {self.updates_while}\n" if self.updates_while else ""
            return _SQLITE_TRIGGER.format(
                name=self.name, table=self.table, message=self.message, when=when
            )
        return ""

    def remove_sql(self, vendor: str) -> str:
        """The statements that remove the trigger (and its function)."""
        template = {"postgresql": _PG_DROP, "sqlite": _SQLITE_DROP}.get(vendor, "")
        return template.format(name=self.name, table=self.table)

    def install(self, apps: Any, schema_editor: Any) -> None:
        """A migration's forward step (`migrations.RunPython(t.install, t.remove)`)."""
        sql = self.install_sql(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    def remove(self, apps: Any, schema_editor: Any) -> None:
        """A migration's backward step."""
        sql = self.remove_sql(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)
