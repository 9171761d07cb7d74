"""EDI under concurrency (PostgreSQL): the references we give never repeat, and the same
interchange sent several times at once places one order."""

import threading

import pytest
from django.db import close_old_connections, connection

from dinghuo.edi.models import EdiMessage
from dinghuo.edi.services import partners
from dinghuo.orders.models import Order
from tests.builders import build_world
from tests.edi.support import add_partner, fixture


@pytest.mark.postgres
def test_the_same_interchange_sent_twice_at_once_places_one_order():
    from dinghuo.edi.services import inbound

    world = build_world("twice")
    add_partner(world)
    text = fixture("orders_basic.edi")
    outcomes: list[tuple[int, bool]] = []
    start = threading.Barrier(4)

    def send() -> None:
        try:
            start.wait()
            received = inbound.receive_interchange(
                tenant_id=world.tenant.pk, text=text, source="api"
            )
            outcomes.append((received.message.pk, received.created))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 4
    assert len({pk for pk, _ in outcomes}) == 1
    assert sorted(created for _, created in outcomes) == [False, False, False, True]
    assert Order.objects.filter(tenant=world.tenant).count() == 1
    assert EdiMessage.objects.filter(direction="out").count() == 1


@pytest.mark.postgres
def test_references_are_never_given_twice_under_concurrency():
    world = build_world("concurrent")
    partner = add_partner(world)
    taken: list[tuple[int, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def take() -> None:
        try:
            start.wait()
            for _ in range(25):
                from django.db import transaction

                with transaction.atomic():
                    got = partners.take_references(partner.pk, 2)
                with lock:
                    taken.append(got)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(taken) == 200
    assert sorted(i for i, _ in taken) == list(range(1, 201))
    assert sorted(m for _, m in taken) == list(range(1, 401, 2))
