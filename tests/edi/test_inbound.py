"""Interchanges of EANCOM ORDERS uploaded through POST /edi/messages: orders placed through
the same service as the API's, every refusal answered with its reason and nothing half-done,
the same interchange answered as the first time, test mode never placing a real order."""

import pytest

from dinghuo.edi.models import EdiMessage, EdiOrder
from dinghuo.edi.services import partners
from dinghuo.edi.syntax import element, parse_segments, read_interchange
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import Order
from tests.builders import build_world
from tests.edi.support import BUYER_GLN, DOCK_GLN, OUR_GLN, add_partner, fixture


def upload(world, name_or_text: str, key: str = "k1"):
    text = fixture(name_or_text) if name_or_text.endswith(".edi") else name_or_text
    return world.client().post("/edi/messages", key=key, raw=text.encode())


def business_state(world) -> dict:
    """What a refused interchange must leave as it was."""
    return {
        "orders": list(Order.objects.filter(tenant=world.tenant).values_list("id", flat=True)),
        "stock": sorted(
            StockLevel.objects.filter(tenant=world.tenant).values_list(
                "sku_id", "warehouse_id", "on_hand", "reserved"
            )
        ),
        "order_events": Event.objects.filter(
            tenant=world.tenant, type__startswith="order."
        ).count(),
        "credit": list(
            world.company.__class__.objects.filter(pk=world.company.pk).values_list(
                "credit_line__order_exposure", flat=True
            )
        ),
    }


def answer_segments(message_id: int) -> list:
    """The order response kept as the answer of the message `message_id`, parsed back."""
    answer = EdiMessage.objects.get(pk=message_id).answer
    assert answer is not None
    interchange = read_interchange(answer.raw)  # its own counts hold
    return [s for m in interchange.messages for s in m.segments]


def tags(segments, tag: str) -> list[list]:
    return [s.elements for s in segments if s.tag == tag]


def test_an_order_of_three_lines_is_placed_and_answered(world):
    add_partner(world)
    r = upload(world, "orders_basic.edi")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["status"], body["kind"], body["interchange_ref"]) == (
        "accepted",
        "ORDERS",
        "ORD0001",
    )
    [number] = body["orders"]
    order = Order.objects.get(tenant=world.tenant, purchase_order_number="PO-4711")
    assert order.number == number
    assert (order.channel, order.company_id, order.ship_to_id) == (
        "edi",
        world.company.pk,
        world.ship_to.pk,
    )
    assert str(order.requested_delivery_date) == "2030-12-15"
    lines = [
        (x.sku_code, x.quantity, str(x.unit_price)) for x in order.lines.order_by("line_number")
    ]
    assert lines == [("A-1", 12, "9.0000"), ("B-2", 12, "2.5000"), ("C-3", 30, "0.3333")]
    assert EdiOrder.objects.get(order=order).lines["3"] == {
        "number": "3",
        "gtin": "",
        "buyer_article": "",
    }

    segments = answer_segments(body["id"])
    assert tags(segments, "BGM") == [["231", number, "29"]]
    assert tags(segments, "RFF") == [[["ON", "PO-4711"]]]
    assert [e[1] for e in tags(segments, "LIN")] == ["5", "5", "5"]
    assert tags(segments, "PRI") == [[["AAA", "9"]], [["AAA", "2.5"]], [["AAA", "0.3333"]]]
    answer = EdiMessage.objects.get(pk=body["answer_id"])
    assert (answer.direction, answer.kind, answer.status) == ("out", "ORDRSP", "ready")
    assert (answer.sender, answer.recipient) == (OUR_GLN, BUYER_GLN)


def test_the_same_interchange_again_changes_nothing_and_answers_as_before(world):
    add_partner(world)
    first = upload(world, "orders_basic.edi", key="a")
    before = business_state(world)
    messages = EdiMessage.objects.count()
    again = upload(world, "orders_basic.edi", key="b")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert business_state(world) == before
    assert EdiMessage.objects.count() == messages


def test_a_reused_reference_with_other_content_is_refused(world):
    add_partner(world)
    upload(world, "orders_basic.edi", key="a")
    before = business_state(world)
    changed = fixture("orders_basic.edi").replace("QTY+21:30'", "QTY+21:31'")
    r = upload(world, changed, key="b")
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "edi_duplicate_interchange"
    assert "ORD0001" in r.json()["detail"]
    assert business_state(world) == before
    kept = EdiMessage.objects.get(pk=r.json()["message_id"])
    assert (kept.status, kept.raw, kept.answer) == ("rejected", changed, None)


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        (
            "orders_wrong_unt.edi",
            "edi_segment_count",
            "UNT of message 1 counts '12' segments; it has 9",
        ),
        (
            "orders_wrong_unz.edi",
            "edi_message_count",
            "UNZ counts '2' messages; the interchange has 1",
        ),
        ("orders_unknown_delivery_point.edi", "edi_unknown_gln", "GLN 5412345000037 (NAD+DP)"),
        (
            "orders_unknown_article.edi",
            "edi_unknown_article",
            "Line 2: we do not know the article (GTIN 9300000000019)",
        ),
        (
            "orders_bad_quantity.edi",
            "edi_bad_quantity",
            "Line 1: QTY+21 must be a whole number of units from 1 (given: 2.5)",
        ),
    ],
)
def test_a_broken_order_is_refused_with_its_reason_and_answered(world, name, code, words):
    add_partner(world)
    before = business_state(world)
    r = upload(world, name)
    assert r.status_code == 422, r.json()
    problem = r.json()
    assert problem["code"] == code
    assert words in problem["detail"]
    assert business_state(world) == before
    kept = EdiMessage.objects.get(pk=problem["message_id"])
    assert (kept.status, kept.reason_code, kept.raw) == ("rejected", code, fixture(name))
    segments = answer_segments(kept.pk)
    [bgm] = tags(segments, "BGM")
    assert bgm[2] == "27"  # not accepted
    assert all(e[1] == "7" for e in tags(segments, "LIN"))
    said = " ".join(
        ":".join(e[3]) if isinstance(e[3], list) else e[3] for e in tags(segments, "FTX")
    )
    assert words.split("(")[0].strip()[:30] in said


def test_both_bad_quantities_are_named(world):
    add_partner(world)
    problem = upload(world, "orders_bad_quantity.edi").json()
    lines = [(e["field"], e["code"]) for e in problem["errors"] if "line" in e["field"]]
    assert lines == [
        ("message 1.line 1", "edi_bad_quantity"),
        ("message 1.line 2", "edi_bad_quantity"),
    ]
    assert "given: -3" in problem["errors"][1]["message"]


def test_an_interchange_of_another_tenants_partner_is_refused_as_unknown(world):
    add_partner(world)
    other = build_world("swiss")
    partners.create_partner(
        tenant_id=other.tenant.pk,
        name="Zürich Eisenwaren",
        gln="7612345000015",
        company_id=other.company.pk,
        our_gln=OUR_GLN,
        ship_tos=[partners.ShipTo("7612345000015", other.ship_to.pk)],
    )
    before = business_state(world)
    r = upload(world, "orders_other_sender.edi")
    assert r.status_code == 422
    assert r.json()["code"] == "edi_unknown_partner"
    assert r.json()["detail"] == "No trading partner has the GLN 7612345000015 (UNB sender)."
    assert b"swiss" not in r.content.lower() and "Zürich".encode() not in r.content
    assert business_state(world) == before
    assert not Order.objects.filter(tenant=other.tenant).exists()
    kept = EdiMessage.objects.get(pk=r.json()["message_id"])
    assert (kept.tenant_id, kept.partner, kept.answer) == (world.tenant.pk, None, None)


def test_an_interchange_for_another_recipient_is_refused_unanswered(world):
    add_partner(world)
    before = business_state(world)
    r = upload(world, "orders_wrong_recipient.edi")
    assert (r.status_code, r.json()["code"]) == (422, "edi_wrong_recipient")
    assert "our GLN is 4012345000009" in r.json()["detail"]
    assert business_state(world) == before
    assert EdiMessage.objects.get(pk=r.json()["message_id"]).answer is None


def test_an_inactive_partner_is_refused(world):
    partner = add_partner(world, is_active=False)
    r = upload(world, "orders_basic.edi")
    assert (r.status_code, r.json()["code"]) == (422, "edi_partner_inactive")
    assert partner.gln in r.json()["detail"]


def test_text_that_is_not_edifact_is_refused_and_kept(world):
    add_partner(world)
    r = upload(world, "Dear supplier, please send 12 hammers.")
    assert (r.status_code, r.json()["code"]) == (422, "edi_unreadable")
    assert EdiMessage.objects.get(pk=r.json()["message_id"]).raw.startswith("Dear supplier")


def test_an_upload_needs_an_idempotency_key_and_a_body(world):
    api = world.client()
    r = api.post("/edi/messages", raw=fixture("orders_basic.edi").encode())
    assert (r.status_code, r.json()["code"]) == (422, "idempotency_key_required")
    r = api.post("/edi/messages", key="x", raw=b"  ")
    assert r.status_code == 422
    assert not EdiMessage.objects.exists()


def test_a_test_interchange_is_answered_but_places_no_order(world):
    add_partner(world)
    before = business_state(world)
    r = upload(world, "orders_test_indicator.edi")
    assert r.status_code == 201, r.json()
    assert (r.json()["status"], r.json()["is_test"], r.json()["orders"]) == ("tested", True, [])
    assert business_state(world) == before
    answer = EdiMessage.objects.get(pk=r.json()["answer_id"])
    assert answer.is_test
    unb = parse_segments(answer.raw)[0]
    assert element(unb, 10) == "1"  # the UNB test indicator
    segments = answer_segments(r.json()["id"])
    assert tags(segments, "BGM") == [["231", "PO-TEST-1", "29"]]


def test_a_partner_in_test_mode_never_gets_a_real_order(world):
    add_partner(world, test_mode=True)
    before = business_state(world)
    r = upload(world, "orders_basic.edi")
    assert (r.status_code, r.json()["status"]) == (201, "tested")
    assert business_state(world) == before
    assert (
        element(parse_segments(EdiMessage.objects.get(pk=r.json()["answer_id"]).raw)[0], 10) == "1"
    )


def test_two_orders_in_one_interchange_with_changes_and_a_buyer_article(world):
    partner = add_partner(world)
    partners.set_articles(
        tenant_id=world.tenant.pk,
        partner_id=partner.pk,
        articles=[partners.Article("RX-77", "D-4")],
    )
    r = upload(world, "orders_two_messages.edi")
    assert r.status_code == 201, r.json()
    first, second = (
        Order.objects.get(tenant=world.tenant, purchase_order_number=po)
        for po in ("PO-5001", "PO-5002")
    )
    assert r.json()["orders"] == [first.number, second.number]
    assert [(x.sku_code, x.quantity, x.backordered_quantity) for x in second.lines.all()] == [
        ("D-4", 3, 3)
    ]
    answer = EdiMessage.objects.get(pk=r.json()["answer_id"])
    interchange = read_interchange(answer.raw)
    assert [m.ref for m in interchange.messages] == ["1", "2"]
    price_changed, backordered = (m.segments for m in interchange.messages)
    assert tags(price_changed, "BGM") == [["231", first.number, "4"]]  # accepted with changes
    assert tags(price_changed, "LIN")[0][1] == "3"
    assert tags(price_changed, "PRI") == [[["AAA", "10"]]]
    assert any("Price 10 instead of 8.5" in str(e) for e in tags(price_changed, "FTX"))
    assert tags(backordered, "QTY") == [[["21", "3"]], [["83", "3"]]]
    assert tags(backordered, "PIA") == [["5", ["D-4", "SA"], ["RX-77", "IN"]]]


def test_one_refused_message_refuses_the_whole_interchange(world):
    add_partner(world)  # no article mapping: RX-77 of the second message is unknown
    before = business_state(world)
    r = upload(world, "orders_two_messages.edi")
    assert (r.status_code, r.json()["code"]) == (422, "edi_unknown_article")
    assert business_state(world) == before
    interchange = read_interchange(EdiMessage.objects.get(pk=r.json()["message_id"]).answer.raw)
    assert [tags(m.segments, "BGM")[0][2] for m in interchange.messages] == ["27", "27"]


def test_a_partner_accepting_partial_orders_gets_the_good_lines_placed(world):
    add_partner(world, accept_partial_orders=True)
    r = upload(world, "orders_unknown_article.edi")
    assert r.status_code == 201, r.json()
    order = Order.objects.get(tenant=world.tenant, purchase_order_number="PO-4715")
    assert [(x.sku_code, x.quantity) for x in order.lines.all()] == [("A-1", 5)]
    segments = answer_segments(r.json()["id"])
    assert tags(segments, "BGM")[0][2] == "4"
    assert [e[1] for e in tags(segments, "LIN")] == ["5", "7"]


def test_placing_refusals_reach_the_lines_and_partial_orders_leave_them_out(world):
    add_partner(world, accept_partial_orders=True)
    text = fixture("orders_basic.edi").replace(
        "QTY+21:12'\nPRI+AAA:2.5'", "QTY+21:7'\nPRI+AAA:2.5'"
    )
    r = upload(world, text)
    assert r.status_code == 201, r.json()
    order = Order.objects.get(tenant=world.tenant, purchase_order_number="PO-4711")
    assert [x.sku_code for x in order.lines.order_by("line_number")] == ["A-1", "C-3"]
    segments = answer_segments(r.json()["id"])
    assert [e[1] for e in tags(segments, "LIN")] == ["5", "7", "5"]
    assert any(
        "pack" in str(e).lower() or "multiple" in str(e).lower() for e in tags(segments, "FTX")
    )


def test_short_stock_refuses_the_order_when_partial_orders_are_not_accepted(world):
    add_partner(world)
    before = business_state(world)
    text = fixture("orders_basic.edi").replace("QTY+21:30'", "QTY+21:500'")
    r = upload(world, text)
    assert (r.status_code, r.json()["code"]) == (422, "insufficient_stock")
    assert business_state(world) == before
    segments = answer_segments(r.json()["message_id"])
    assert any("100 available, 500 wanted" in str(e) for e in tags(segments, "FTX"))


def test_delivery_points_are_the_partners(world):
    add_partner(world)
    text = fixture("orders_basic.edi").replace(f"NAD+DP+{DOCK_GLN}", "NAD+DP+5412345000037")
    assert upload(world, text).json()["code"] == "edi_unknown_gln"


def test_an_interchange_can_come_as_a_form_file_in_latin_1(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    add_partner(world)
    text = fixture("orders_basic.edi").replace("Claw hammer", "Hammer für Zimmerleute")
    upload = SimpleUploadedFile("po-4711.edi", text.encode("latin-1"))
    r = world.client().client.post(
        "/api/v1/edi/messages",
        {"file": upload},
        headers={**world.client().headers, "Idempotency-Key": "form"},
    )
    assert r.status_code == 201, r.json()
    kept = EdiMessage.objects.get(pk=r.json()["id"])
    assert (kept.source, "Hammer für Zimmerleute" in kept.raw) == ("api: po-4711.edi", True)
