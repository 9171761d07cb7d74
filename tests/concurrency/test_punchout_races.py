"""The same purchase order sent several times at once by a procurement system (a retry that
overtook the first try, two copies with new payloadIDs), on PostgreSQL: one order, and every
answer says which order it is."""

import pytest
from django.test import Client

from dinghuo.orders.models import Order, order_number
from dinghuo.punchout.models import PurchaseOrder
from tests.builders import build_world
from tests.concurrency.test_orders_under_contention import run_together
from tests.punchout.documents import connect, item_out, order_request, post, status

pytestmark = pytest.mark.postgres


def test_copies_of_one_purchase_order_sent_at_once_place_one_order() -> None:
    world = build_world("poraces")
    suite = connect(world)

    def send(i: int) -> tuple[int, str]:
        # Half repeat one document, half are copies with their own payloadID.
        payload = "same@buyer" if i % 2 else f"copy-{i}@buyer"
        return status(
            post(
                Client(),
                "/punchout/cxml/order",
                order_request(suite, item_out("A-1", 2), payload_id=payload),
            )
        )

    answers = run_together(6, send)
    order = Order.objects.get()
    number = order_number(order.pk)
    placed = f"Purchase order PO-4711 is order {number} ({order.status})."
    again = f"Purchase order PO-4711 was received already: it is order {number}."
    assert {code for code, _ in answers} == {200}, answers
    assert {text for _, text in answers} <= {placed, again}
    assert [text for _, text in answers].count(placed) >= 1
    assert PurchaseOrder.objects.count() == 1
    assert order.lines.get().quantity == 2
