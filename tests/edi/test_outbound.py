"""Documents back to the partner from the event feed (DESADV per shipment, INVOIC per
invoice), the outbox and inbox folders of `dinghuo worker`."""

import os
import time

import pytest

from dinghuo.edi import jobs
from dinghuo.edi.models import EdiMessage, TradingPartner
from dinghuo.edi.services import outbound
from dinghuo.edi.syntax import read_interchange
from dinghuo.orders.models import Order
from tests.edi.support import BUYER_GLN, DOCK_GLN, OUR_GLN, add_partner, fixture


@pytest.fixture
def edi_root(settings, tmp_path):
    settings.DINGHUO_EDI_ROOT = tmp_path
    return tmp_path


def tags(segments, tag):
    return [s.elements for s in segments if s.tag == tag]


def ship(world, order: Order, **body):
    api = world.client()
    assert api.post(f"/orders/{order.pk}/confirm").status_code == 200
    r = api.post(
        f"/orders/{order.pk}/shipments", {"carrier": "SF Express", "tracking_number": "SF1", **body}
    )
    assert r.status_code == 201, r.json()
    return r.json()


def edi_order(world) -> Order:
    r = world.client().post("/edi/messages", key="in", raw=fixture("orders_basic.edi").encode())
    assert r.status_code == 201, r.json()
    return Order.objects.get(tenant=world.tenant, purchase_order_number="PO-4711")


def sent(kind: str) -> list[EdiMessage]:
    return list(EdiMessage.objects.filter(kind=kind, direction="out").order_by("id"))


def test_a_shipment_and_its_invoice_go_to_the_partner_once(world, edi_root):
    add_partner(world)
    order = edi_order(world)
    ship(
        world, order, lines=[{"line_number": 1, "quantity": 12}, {"line_number": 3, "quantity": 10}]
    )
    assert jobs.write_outboxes() >= 3  # two events, three messages written

    [desadv] = sent("DESADV")
    segments = read_interchange(desadv.raw).messages[0].segments
    assert tags(segments, "BGM")[0][0] == "351"
    assert ["ON", "PO-4711"] in [e[0] for e in tags(segments, "RFF")]
    assert ["VN", order.number] in [e[0] for e in tags(segments, "RFF")]
    assert ["CN", "SF1"] in [e[0] for e in tags(segments, "RFF")]
    assert [e[1][0] for e in tags(segments, "NAD")] == [BUYER_GLN, OUR_GLN, DOCK_GLN]
    assert [e[0] for e in tags(segments, "QTY")] == [["12", "12"], ["12", "10"]]
    assert tags(segments, "LIN")[0] == ["1", "", ["4006381333931", "EN"]]
    assert ["ON", "PO-4711", "3"] in [e[0] for e in tags(segments, "RFF")]  # their line 3

    [invoic] = sent("INVOIC")
    segments = read_interchange(invoic.raw).messages[0].segments
    assert tags(segments, "BGM")[0][0] == "380"
    moa = [tuple(e[0]) for e in tags(segments, "MOA")]
    # 12 × 9.00 and 10 × 0.3333 (no tax rate set: tax 0), then the totals
    assert moa == [
        ("203", "108.00"),
        ("203", "3.33"),
        ("79", "111.33"),
        ("125", "111.33"),
        ("176", "0.00"),
        ("77", "111.33"),
    ]
    assert [e[0] for e in tags(segments, "QTY")] == [["47", "12"], ["47", "10"]]

    written = sorted(p.name for p in (edi_root / "acme" / "outbox" / BUYER_GLN).iterdir())
    assert written == sorted(
        f"{m.kind}_{m.interchange_ref}.edi" for m in EdiMessage.objects.filter(direction="out")
    )
    assert all(m.status == "sent" and m.sent_at for m in EdiMessage.objects.filter(direction="out"))
    refs = [int(m.interchange_ref) for m in EdiMessage.objects.filter(direction="out")]
    assert refs == sorted(set(refs))  # never reused

    assert jobs.write_outboxes() == 0  # the place moved on: nothing twice
    assert len(sent("DESADV")) == 1


def test_orders_placed_otherwise_get_documents_only_when_the_partner_wants_them(world, edi_root):
    partner = add_partner(world)
    placed = world.client().place(world.order_body(("A-1", 2)), key="api-order").json()["id"]
    ship(world, Order.objects.get(pk=placed))
    jobs.write_outboxes()
    assert sent("DESADV") == [] and sent("INVOIC") == []

    TradingPartner.objects.filter(pk=partner.pk).update(documents_for_all_orders=True)
    placed = world.client().place(world.order_body(("A-1", 2)), key="api-order-2").json()["id"]
    ship(world, Order.objects.get(pk=placed))
    jobs.write_outboxes()
    assert len(sent("DESADV")) == 1 and len(sent("INVOIC")) == 1


def test_a_new_partner_starts_from_now_not_from_the_past(world, edi_root):
    placed = world.client().place(world.order_body(("A-1", 2)), key="before").json()["id"]
    ship(world, Order.objects.get(pk=placed))
    add_partner(world, documents_for_all_orders=True)
    assert jobs.write_outboxes() == 0
    assert not EdiMessage.objects.exists()


def test_the_document_text_alone_for_another_channel(world, edi_root):
    partner = add_partner(world)
    order = edi_order(world)
    shipment = ship(world, order)
    text = outbound.despatch_advice_text(partner, shipment["id"])
    assert text is not None and "DESADV:D:96A:UN:EAN007" in text
    assert read_interchange(text).messages[0].type == "DESADV"
    assert outbound.despatch_advice_text(partner, shipment["id"] + 1000) is None


def test_the_inbox_is_read_and_each_file_moved(world, edi_root):
    add_partner(world)
    inbox = edi_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.edi").write_text(fixture("orders_basic.edi"), encoding="latin-1")
    (inbox / "b.edi").write_text(fixture("orders_unknown_article.edi"), encoding="latin-1")
    assert jobs.read_inboxes() == 2
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["a.edi"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["b.edi"]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []
    sources = dict(EdiMessage.objects.filter(direction="in").values_list("source", "status"))
    assert sources == {"inbox: a.edi": "accepted", "inbox: b.edi": "rejected"}
    assert Order.objects.filter(purchase_order_number="PO-4711").count() == 1
    assert jobs.read_inboxes() == 0


def test_a_file_left_by_a_dead_worker_is_read_again_without_a_second_order(world, edi_root):
    add_partner(world)
    inbox = edi_root / "acme" / "inbox"
    (inbox / "processing").mkdir(parents=True)
    (inbox / "x.edi").write_text(fixture("orders_basic.edi"))
    assert jobs.read_inboxes() == 1
    stale = inbox / "processing" / "x.edi"
    stale.write_text(fixture("orders_basic.edi"))  # as if a worker died after claiming it
    old = time.time() - jobs.STALE_SECONDS - 5
    os.utime(stale, (old, old))
    assert jobs.read_inboxes() == 1
    assert Order.objects.filter(purchase_order_number="PO-4711").count() == 1
    assert EdiMessage.objects.filter(direction="in").count() == 1


def test_a_tenants_inbox_reaches_only_that_tenant(world, edi_root):
    from tests.builders import build_world

    other = build_world("other")
    add_partner(world)
    inbox = edi_root / "other" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.edi").write_text(fixture("orders_basic.edi"))
    assert jobs.read_inboxes() == 1
    message = EdiMessage.objects.get()
    assert (message.tenant_id, message.reason_code) == (other.tenant.pk, "edi_unknown_partner")
    assert not Order.objects.exists()


def test_dinghuo_worker_runs_the_edi_jobs(world, edi_root):
    from io import StringIO

    from django.core.management import call_command

    add_partner(world)
    inbox = edi_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.edi").write_text(fixture("orders_basic.edi"))
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue().strip() == "done: 2"  # the file read, its answer written
    [answer] = (edi_root / "acme" / "outbox" / BUYER_GLN).iterdir()
    assert answer.name == "ORDRSP_1.edi"
    assert read_interchange(answer.read_text()).messages[0].type == "ORDRSP"
