"""The database itself refuses to change or remove an audit entry.

The one exception: erasing a person's data (`audit.personal_data.erase_person`) rewrites the
entries that name them, inside a transaction holding an `audit_erasurepermit` row. Only that
transaction sees its uncommitted row on PostgreSQL; SQLite has one writer at a time.
The trigger's SQL is `core.immutable`'s (the same statements this migration always ran).
"""

from django.db import migrations

from dinghuo.core.immutable import ImmutableTable

ENTRIES = ImmutableTable(
    table="audit_auditentry",
    name="audit_entry_immutable",
    message="audit entries are immutable",
    updates_while="EXISTS (SELECT 1 FROM audit_erasurepermit)",
)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(ENTRIES.install, ENTRIES.remove)]
