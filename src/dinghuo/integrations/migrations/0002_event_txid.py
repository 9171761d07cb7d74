"""Events are placed in the feed by their writing transaction's id instead of a position given
by a sequencer after commit (see dinghuo/integrations/events.py).

Events already written keep their order and consumers keep their cursors: an event numbered
`position` gets txid `position - 2**62` (below every real transaction id, in position order),
one not yet numbered gets -1 (after those, in id order), and an old integer cursor `n` is read
as "after position n" (integrations/cursors.py). On PostgreSQL this rewrites the table once.
"""

from django.db import migrations, models

import dinghuo.integrations.models

LEGACY_UPDATE = """
UPDATE integrations_event
SET txid = CASE WHEN "position" IS NULL THEN -1 ELSE "position" - 4611686018427387904 END
"""


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="event", name="event_unsequenced_idx"),
        migrations.RemoveIndex(model_name="event", name="event_feed_idx"),
        migrations.AddField(
            model_name="event",
            name="txid",
            field=models.BigIntegerField(db_default=0),
        ),
        migrations.RunSQL(LEGACY_UPDATE, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="event",
            name="txid",
            field=models.BigIntegerField(
                db_default=dinghuo.integrations.models.WritingTransaction()
            ),
        ),
        migrations.RemoveField(model_name="event", name="position"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["tenant", "txid", "id"], name="event_feed_order_idx"),
        ),
    ]
