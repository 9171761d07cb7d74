"""A buyer's own invoices, credit notes and balance through the buyer API (/my): another
company's documents are not found, and each kind of key stays on its side."""

from typing import Any

import pytest

from tests.billing.test_api import confirm_and_ship, three_invoices
from tests.builders import World, add_buyer
from tests.orders.support import place


@pytest.fixture
def invoices(world: World, other_world: World) -> dict[str, int]:
    return three_invoices(world, other_world)


@pytest.fixture
def buyer(world: World) -> Any:
    return add_buyer(world, "bea@buyer.example")[1]


def test_a_buyer_reads_their_companys_invoices_credit_notes_and_balance(world, invoices, buyer):
    staff = world.client()
    mine = invoices["mine"]
    note = staff.post(
        f"/invoices/{mine}/credit-notes", {"amount": "15.00", "reason": "Late"}, key="cn"
    ).json()

    listed = buyer.get("/my/invoices")
    assert listed.status_code == 200, listed.json()
    assert [i["id"] for i in listed.json()["items"]] == [mine]
    assert buyer.get("/my/invoices", state="open").json() == listed.json()
    assert buyer.get("/my/invoices", state="paid").json()["items"] == []
    detail = buyer.get(f"/my/invoices/{mine}").json()
    assert detail == staff.get(f"/invoices/{mine}").json()
    assert (detail["open_amount"], detail["credited_amount"]) == ("75.00", "15.00")
    assert buyer.get("/my/credit-notes").json()["items"] == [
        {key: note[key] for key in listed_note_fields(note)}
    ]
    assert buyer.get("/my/credit-notes", invoice_id=mine).json()["items"][0]["id"] == note["id"]
    assert buyer.get(f"/my/credit-notes/{note['id']}").json() == note
    balance = buyer.get("/my/balance").json()
    assert balance == staff.get(f"/companies/{world.company.pk}/balance").json()
    assert (balance["open_total"], balance["unapplied"]) == ("75.00", "0.00")
    for path in (f"/my/invoices/{mine}/pdf", f"/my/credit-notes/{note['id']}/pdf"):
        r = buyer.get(path, language="zh-hant")
        assert (r.status_code, r["Content-Type"]) == (200, "application/pdf")
        assert r.content.startswith(b"%PDF")


def listed_note_fields(note: dict[str, Any]) -> list[str]:
    """The fields of a credit note in a list: all but what only its own answer carries."""
    only_in_detail = {"invoice_issued_on", "bill_to", "seller", "lines", "tax_summary"}
    return [key for key in note if key not in only_in_detail]


def test_another_companys_documents_are_not_found(world, invoices, buyer):
    staff = world.client()
    theirs = invoices["neighbour's"]
    note = staff.post(
        f"/invoices/{theirs}/credit-notes", {"whole": True, "reason": "Wrong goods"}, key="cn"
    ).json()
    other_tenant = invoices["other tenant's"]

    for path in (
        f"/my/invoices/{theirs}",
        f"/my/invoices/{theirs}/pdf",
        f"/my/invoices/{other_tenant}",
        f"/my/credit-notes/{note['id']}",
        f"/my/credit-notes/{note['id']}/pdf",
    ):
        r = buyer.get(path)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), path
    assert [i["id"] for i in buyer.get("/my/invoices").json()["items"]] == [invoices["mine"]]
    assert buyer.get("/my/credit-notes").json()["items"] == []
    assert buyer.get("/my/credit-notes", invoice_id=theirs).json()["items"] == []


def test_each_key_stays_on_its_side(world, buyer):
    [issued] = confirm_and_ship(world, place(world, ("A-1", 1)))

    for path in ("/my/invoices", f"/my/invoices/{issued}", "/my/credit-notes", "/my/balance"):
        r = world.client().get(path)
        assert (r.status_code, r.json()["code"]) == (403, "buyer_key_required"), path
    for path in ("/invoices", f"/invoices/{issued}", "/payments", "/billing-policy"):
        r = buyer.get(path)
        assert (r.status_code, r.json()["code"]) == (403, "staff_key_required"), path
    paid = buyer.post(
        "/payments",
        {
            "company_id": world.company.pk,
            "amount": "10.00",
            "currency": "USD",
            "method": "cash",
            "received_on": "2026-01-05",
        },
        key="self-paid",
    )
    assert (paid.status_code, paid.json()["code"]) == (403, "staff_key_required")
