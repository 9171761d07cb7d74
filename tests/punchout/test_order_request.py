"""A cXML OrderRequest becomes an order through the placing service: once per payloadID and
once per PO number, at our prices unless the PO's are lower, refused whole otherwise."""

from django.test import Client

from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order, order_number
from dinghuo.punchout.models import PurchaseOrder
from tests.builders import World
from tests.punchout.documents import connect, item_out, order_request, post, status

ORDER = "/punchout/cxml/order"


def test_an_order_request_places_an_order_once(world: World) -> None:
    suite = connect(world)
    body = order_request(suite, item_out("A-1", 12, "9.50", 1), item_out("C-3", "3.0", "1", 2))
    code, text = status(post(Client(), ORDER, body))
    order = Order.objects.get()
    assert code == 200
    assert text == f"Purchase order PO-4711 is order {order_number(order.pk)} ({order.status})."
    assert order.purchase_order_number == "PO-4711"
    assert order.channel == "punchout"
    assert order.company_id == world.company.pk
    assert order.placed_by_id == suite.buyer.pk
    assert order.notes == "Deliver to the back door."
    lines = {line.sku.code: (line.quantity, line.unit_price) for line in order.lines.all()}
    assert {k: (q, str(p.normalize())) for k, (q, p) in lines.items()} == {
        "A-1": (12, "9"),  # our tier price (9.00), below the PO's 9.50: charged as ours
        "C-3": (3, "0.3333"),
    }
    assert Event.objects.filter(type="order.placed", aggregate_id=order.pk).count() == 1

    # The same document again: the same answer, nothing new.
    assert status(post(Client(), ORDER, body)) == (code, text)
    # The same PO number in a new document (a resend with a new payloadID): nothing new either.
    resent = order_request(suite, item_out("A-1", 12, "9.50"), payload_id="another@buyer")
    assert status(post(Client(), ORDER, resent)) == (
        200,
        f"Purchase order PO-4711 was received already: it is order {order_number(order.pk)}.",
    )
    assert Order.objects.count() == 1 and PurchaseOrder.objects.count() == 1


def test_the_same_payload_id_with_other_content_is_a_conflict(world: World) -> None:
    suite = connect(world)
    post(Client(), ORDER, order_request(suite, item_out("A-1", 1)))
    other = order_request(suite, item_out("A-1", 2), order_id="PO-4712")
    code, text = status(post(Client(), ORDER, other))
    assert code == 409 and "payloadID 1733490000.555@procurement.example" in text
    assert Order.objects.count() == 1


def test_a_price_below_ours_refuses_the_whole_order(world: World) -> None:
    suite = connect(world)
    body = order_request(suite, item_out("A-1", 1, "9.99", 1), item_out("C-3", 1, "1.00", 2))
    code, text = status(post(Client(), ORDER, body))
    assert code == 406
    assert text == (
        "The order was not placed: line 1: SKU A-1 costs 10.00 USD, above the order's 9.99."
    )
    assert not Order.objects.exists() and not PurchaseOrder.objects.exists()
    # Prices at or above ours are fine.
    assert status(post(Client(), ORDER, order_request(suite, item_out("A-1", 1, "10"))))[0] == 200


def test_an_unknown_sku_refuses_the_order(world: World) -> None:
    suite = connect(world)
    body = order_request(suite, item_out("A-1", 1), item_out("NOPE-9", 2, line=2))
    code, text = status(post(Client(), ORDER, body))
    assert (code, text) == (406, "The order was not placed: line 2: SKU NOPE-9 is not sold to you.")
    assert not Order.objects.exists()


def test_the_currency_must_be_the_company_s(world: World) -> None:
    suite = connect(world)
    body = order_request(suite, item_out("A-1", 1), currency="EUR")
    code, text = status(post(Client(), ORDER, body))
    assert (code, text) == (406, "The order is in EUR; this supplier sells to you in USD.")


def test_placing_refusals_are_said_per_line(world: World) -> None:
    suite = connect(world)
    body = order_request(suite, item_out("B-2", 5, "2.50"))  # packs of 6, at least 6
    code, text = status(post(Client(), ORDER, body))
    assert code == 406
    assert "line 1 (SKU B-2)" in text
    assert not Order.objects.exists()


def test_the_ship_to_is_found_by_address_id_or_by_street(world: World) -> None:
    suite = connect(world)
    by_id = order_request(
        suite, item_out("A-1", 1), address_id=str(world.ship_to.pk), street="somewhere else"
    )
    assert status(post(Client(), ORDER, by_id))[0] == 200
    by_street = order_request(
        suite, item_out("A-1", 1), order_id="PO-2", payload_id="p2", street="1 harbour rd."
    )
    assert status(post(Client(), ORDER, by_street))[0] == 200
    assert {o.ship_to_id for o in Order.objects.all()} == {world.ship_to.pk}
    unknown = order_request(
        suite, item_out("A-1", 1), order_id="PO-3", payload_id="p3", street="9 Nowhere Lane"
    )
    code, text = status(post(Client(), ORDER, unknown))
    assert code == 406 and "is not one of the company's delivery addresses" in text
    assert Order.objects.count() == 2


def test_changes_and_cancellations_by_cxml_are_refused(world: World) -> None:
    suite = connect(world)
    body = order_request(suite, item_out("A-1", 1), order_type="update")
    code, text = status(post(Client(), ORDER, body))
    assert code == 406 and "'update' are not accepted" in text


def test_wrong_secret_and_fractions_are_refused(world: World) -> None:
    suite = connect(world)
    assert (
        status(post(Client(), ORDER, order_request(suite, item_out("A-1", 1), secret="x")))[0]
        == 401
    )
    code, text = status(post(Client(), ORDER, order_request(suite, item_out("A-1", "1.5"))))
    assert (code, text) == (406, "Line 1: we sell whole units; 1.5 is not one.")
    assert status(post(Client(), ORDER, order_request(suite)))[1] == (
        "The OrderRequest has no ItemOut lines."
    )
    assert not Order.objects.exists()


def test_a_form_posted_document_is_read_too(world: World) -> None:
    """Some systems post the document as the `cXML-urlencoded` field of a form."""
    suite = connect(world)
    body = order_request(suite, item_out("A-1", 1)).decode()
    answer = Client().post(ORDER, {"cXML-urlencoded": body})
    assert status(answer)[0] == 200
    assert Order.objects.count() == 1


def test_our_own_failure_is_a_cxml_500_without_a_trace(world: World, monkeypatch, caplog) -> None:
    from dinghuo.punchout import services

    suite = connect(world)

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "place_purchase_order", broken)
    answer = post(Client(), ORDER, order_request(suite, item_out("A-1", 1)))
    assert status(answer) == (
        500,
        "The supplier could not handle the request; nothing was changed.",
    )
    assert b"disk on fire" not in answer.content and b"Traceback" not in answer.content
    assert "cXML request failed" in caplog.text  # logged for us, with the trace


def test_a_test_document_is_checked_but_places_nothing(world: World) -> None:
    suite = connect(world)
    body = order_request(suite, item_out("A-1", 2), mode="test")
    assert status(post(Client(), ORDER, body)) == (
        200,
        "Test document: purchase order PO-4711 would be accepted; nothing was placed.",
    )
    assert not Order.objects.exists() and not PurchaseOrder.objects.exists()
    assert not Event.objects.filter(type="order.placed").exists()
    refused = order_request(suite, item_out("A-1", 2, "1.00"), mode="test")
    assert status(post(Client(), ORDER, refused))[0] == 406
    # The real document afterwards is placed: the test left nothing behind, not even its key.
    assert status(post(Client(), ORDER, order_request(suite, item_out("A-1", 2))))[0] == 200
    assert Order.objects.count() == 1
