"""PostgreSQL: a page of the feed is read along the feed index even when the statistics
describe an older, smaller table (the newest events always lie past them), and the
workers find the rows with work by probing that index, not by merging every event."""

import pytest
from django.db import connection, transaction

from dinghuo.integrations import events, queries
from dinghuo.integrations.models import WebhookSubscription
from dinghuo.notifications.models import MailFeed

pytestmark = pytest.mark.postgres


def _record(tenant_id: int, n: int) -> None:
    with transaction.atomic():
        events.record(
            *(events.new(tenant_id, "bench.step", "bench", i, {"n": i}) for i in range(n))
        )


def _plan(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _scans() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_bitmapscan'), current_setting('enable_seqscan')"
        )
        return cursor.fetchone()


@pytest.fixture
def stale_statistics(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only test: run with DATABASE_URL=postgres://… (make test does)")
    _record(world.tenant.pk, 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE integrations_event")
    _record(world.tenant.pk, 5000)
    return world


def test_a_page_of_the_feed_walks_the_index_and_the_settings_come_back(stale_statistics):
    tenant_id = stale_statistics.tenant.pk
    query = queries._readable_after(tenant_id, (0, 0)).order_by("txid", "id")[:100]
    sql, params = query.query.sql_with_params()
    with transaction.atomic():
        with queries._along_feed_index():
            assert _scans() == ("off", "off")
            plan = _plan(sql, params)
        assert _scans() == ("on", "on")
    assert "event_feed_order_idx" in plan
    assert "Sort" not in plan and "Bitmap" not in plan
    # What a read returns is tested elsewhere (here other test processes' transactions may
    # hold the feed back); the read puts the settings back as well.
    queries.events_after(tenant_id, (0, 0), 100)
    assert _scans() == ("on", "on")


def test_the_workers_find_work_by_probing_the_feed_index(stale_statistics):
    tenant_id = stale_statistics.tenant.pk
    MailFeed.objects.create(tenant_id=tenant_id, position_txid=0, position_event_id=0)
    for model in (MailFeed, WebhookSubscription):
        rows = model.objects.alias(next_event=queries.next_event_after()).filter(
            next_event__isnull=False
        )
        plan = _plan(*rows.values("pk").query.sql_with_params())
        assert "event_feed_order_idx" in plan, plan
        assert "Merge" not in plan and "Hash" not in plan, plan
    assert list(
        MailFeed.objects.alias(next_event=queries.next_event_after())
        .filter(next_event__isnull=False)
        .values_list("tenant_id", flat=True)
    ) == [tenant_id]
