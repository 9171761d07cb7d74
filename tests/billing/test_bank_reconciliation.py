"""Bank reconciliation through `billing.services.bank` and its API routes: a statement's
credits matched to invoices become payments (the invoices show paid), the rest waits for a
clerk who matches or sets it aside; the same file again, a malformed file and every refusal
change nothing; another tenant's statement, line or company is not found."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dinghuo.billing import queries
from dinghuo.billing.models import BankLine, BankStatement, Invoice, Payment
from dinghuo.billing.services import bank
from dinghuo.billing.services.payments import Allocate
from dinghuo.core.errors import Conflict, NotFound, ValidationFailed
from dinghuo.customers.models import Company, Location
from dinghuo.integrations.models import Event
from tests.billing.support import (
    assert_money_consistent,
    billing_rows,
    invoices_of,
    open_amount,
    ship_lines,
    unapplied,
)
from tests.builders import World

pytestmark = pytest.mark.urls("tests.billing.bank_urls")

D = Decimal
SAMPLES = Path(__file__).parent / "statements"
MARCH_5 = date(2026, 3, 5)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def state() -> dict[str, Any]:
    """Billing, the bank's rows and the events: what a refusal or a repeat leaves alone."""
    return {
        **billing_rows(),
        "statements": list(BankStatement.objects.order_by("id").values()),
        "lines": list(BankLine.objects.order_by("id").values()),
        "events": list(Event.objects.order_by("id").values_list("id", flat=True)),
    }


def _ship(world: World, company: Company, ship_to: Location, quantity: int) -> None:
    body = {
        "company_id": company.pk,
        "ship_to_id": ship_to.pk,
        "lines": [{"sku": "A-1", "quantity": quantity}],
    }
    placed = world.client().place(body, key=f"order-{company.pk}-{Invoice.objects.count()}")
    assert placed.status_code == 201, placed.json()
    order_id = placed.json()["id"]
    assert world.client().post(f"/orders/{order_id}/confirm").status_code == 200
    ship_lines(world, order_id)


@pytest.fixture
def books(world: World) -> dict[str, Invoice]:
    """INV-000001 (10.00) and INV-000002 (20.00) of Buyer One, INV-000003 (30.00) of
    Globex Trading Co: what the samples pay."""
    globex = Company.objects.create(
        tenant=world.tenant, code="C002", name="Globex Trading Co", price_list=world.price_list
    )
    dock = Location.objects.create(
        tenant=world.tenant, company=globex, kind="ship_to", name="Dock 2", line1="2 Pier",
        city="Hong Kong", country="HK",
    )  # fmt: skip
    _ship(world, world.company, world.ship_to, 1)
    _ship(world, world.company, world.ship_to, 2)
    _ship(world, globex, dock, 3)
    found = {i.number: i for i in Invoice.objects.filter(tenant=world.tenant)}
    assert {n: i.total for n, i in found.items()} == {
        "INV-000001": D("10.00"),
        "INV-000002": D("20.00"),
        "INV-000003": D("30.00"),
    }
    return found


def _import(world: World, name: str = "camt053_001_02.xml") -> bank.Imported:
    return bank.import_statement(
        tenant_id=world.tenant.pk, content=sample(name), file_name=name, imported_by="Sam"
    )


def _lines(imported: bank.Imported) -> list[BankLine]:
    return list(imported.statement.lines.order_by("line_number"))


# --- services ---------------------------------------------------------------------------------


def test_credits_that_name_an_invoice_or_single_one_out_become_payments(world, books):
    imported = _import(world)
    assert (imported.created, imported.matched, imported.waiting, imported.ignored) == (
        True,
        3,
        1,
        1,
    )
    one, two, three = books["INV-000001"], books["INV-000002"], books["INV-000003"]
    assert [open_amount(i) for i in (one, two, three)] == [D(0), D(0), D(0)]
    assert {queries.invoice_state(i, MARCH_5) for i in invoices_of(world)} == {queries.PAID}
    lines = _lines(imported)
    assert [(x.line_number, x.amount, x.status) for x in lines] == [
        (1, D("10.00"), "matched"),  # "inv000001" in the reference
        (2, D("20.00"), "matched"),  # Buyer One Ltd. and the one invoice of 20.00
        (3, D("-12.50"), "ignored"),  # money out
        (4, D("30.00"), "matched"),  # "INV-3" of a batch, Globex's
        (5, D("15.00"), "unmatched"),  # nobody known, no number: waits for a clerk
    ]
    payments = {x.line_number: x.payment for x in lines if x.payment}
    assert {n: (p.company_id, p.amount, p.method, p.received_on, p.reference) for n, p in
            payments.items()} == {
        1: (world.company.pk, D("10.00"), "bank_transfer", MARCH_5, "HSBC260305000001"),
        2: (world.company.pk, D("20.00"), "bank_transfer", MARCH_5, "HSBC260305000002"),
        4: (three.company_id, D("30.00"), "bank_transfer", MARCH_5, "HSBC260305000004-1"),
    }  # fmt: skip
    assert {p.allocations.get().invoice_id for p in payments.values()} == {
        one.pk,
        two.pk,
        three.pk,
    }
    assert_money_consistent(world.tenant.pk)


def test_the_import_records_its_event_and_each_payment_its_own(world, books):
    before = Event.objects.count()
    imported = _import(world)
    new = list(Event.objects.order_by("id")[before:])
    assert [e.type for e in new].count("payment.received") == 3
    event = next(e for e in new if e.type == "bank_statement.imported")
    assert (event.aggregate_type, event.aggregate_id) == ("bank_statement", imported.statement.pk)
    assert event.payload == {
        "statement_id": "STMT-2026-03-05",
        "format": "camt053",
        "account": "GB33BUKB20201555555555",
        "currency": "USD",
        "opening_balance": "1000.00",
        "closing_balance": "1062.50",
        "lines": 5,
        "matched": 3,
        "waiting": 1,
        "ignored": 1,
    }


def test_the_same_file_again_changes_nothing(world, books):
    first = _import(world)
    before = state()
    again = _import(world)
    assert (again.created, again.statement.pk) == (False, first.statement.pk)
    assert (again.matched, again.waiting, again.ignored) == (3, 1, 1)
    assert state() == before


def test_a_malformed_file_changes_nothing(world, books):
    before = state()
    broken = sample("mt940.sta").replace(b":62F:C260305USD1017,50\n", b"")
    with pytest.raises(ValidationFailed) as refused:
        bank.import_statement(tenant_id=world.tenant.pk, content=broken)
    assert refused.value.code == "malformed_statement"
    assert state() == before


def test_an_mt940_statement_is_reconciled_the_same_way(world, books):
    imported = _import(world, "mt940.sta")
    assert [(x.amount, x.status) for x in _lines(imported)] == [
        (D("10.00"), "matched"),  # INV-000001 in :61:
        (D("20.00"), "matched"),  # Buyer One Ltd, 20.00
        (D("-12.50"), "ignored"),
        (D("45.00"), "matched"),  # INV 3: 30.00 to it, 15.00 Globex's unapplied credit
        (D("-5.00"), "ignored"),
    ]
    globex = books["INV-000003"].company
    assert open_amount(books["INV-000003"]) == D(0)
    assert unapplied(world, globex) == D("15.00")
    assert_money_consistent(world.tenant.pk)


def test_invoices_of_two_companies_named_in_one_credit_wait_for_a_clerk(world, books):
    imported = _import(world, "camt053_001_08.xml")
    assert [(x.amount, x.status) for x in _lines(imported)] == [(D("60.00"), "unmatched")]
    assert Payment.objects.count() == 0


def test_a_credit_for_an_invoice_paid_meanwhile_waits(world, books):
    from tests.billing.support import pay

    pay(world, "10.00", allocations=[Allocate(books["INV-000001"].pk, D("10.00"))])
    lines = _lines(_import(world))
    assert (lines[0].status, lines[0].payment) == ("unmatched", None)


def test_a_clerk_matches_a_waiting_credit_oldest_first_then_it_is_decided(world, books):
    imported = _import(world, "camt053_001_08.xml")  # 60.00 from Buyer One, waiting
    line = _lines(imported)[0]
    decided = bank.match_line(
        tenant_id=world.tenant.pk, line_id=line.pk, company_id=world.company.pk, decided_by="Sam"
    )
    assert (decided.status, decided.company_id, decided.decided_by) == (
        "matched",
        world.company.pk,
        "Sam",
    )
    payment = decided.payment
    assert (payment.amount, payment.reference, payment.recorded_by) == (
        D("60.00"),
        "DBS0306000017",
        "Sam",
    )
    assert [open_amount(books[n]) for n in ("INV-000001", "INV-000002")] == [D(0), D(0)]
    assert unapplied(world) == D("30.00")
    before = state()
    with pytest.raises(Conflict) as again:
        bank.match_line(tenant_id=world.tenant.pk, line_id=line.pk, company_id=world.company.pk)
    assert again.value.code == "bank_line_decided"
    with pytest.raises(Conflict):
        bank.ignore_line(tenant_id=world.tenant.pk, line_id=line.pk)
    assert state() == before
    assert_money_consistent(world.tenant.pk)


def test_a_clerk_applies_a_credit_to_the_invoices_chosen(world, books):
    line = _lines(_import(world, "camt053_001_08.xml"))[0]
    bank.match_line(
        tenant_id=world.tenant.pk,
        line_id=line.pk,
        company_id=world.company.pk,
        allocations=[Allocate(books["INV-000002"].pk, D("20.00"))],
    )
    assert [open_amount(books[n]) for n in ("INV-000001", "INV-000002")] == [D("10.00"), D(0)]
    assert unapplied(world) == D("40.00")


def test_refused_decisions_change_nothing(world, books, other_world):
    imported = _import(world)
    waiting = next(x for x in _lines(imported) if x.status == "unmatched")
    debit = next(x for x in _lines(imported) if x.amount < 0)
    globex_invoice = books["INV-000003"].pk
    tenant = world.tenant.pk
    before = state()
    with pytest.raises(ValidationFailed) as wrong_company:  # Globex's invoice for Buyer One
        bank.match_line(
            tenant_id=tenant,
            line_id=waiting.pk,
            company_id=world.company.pk,
            allocations=[Allocate(globex_invoice, D("15.00"))],
        )
    assert [e.code for e in wrong_company.value.errors] == ["invoice_not_open"]
    with pytest.raises(Conflict):  # money out was set aside when imported
        bank.match_line(tenant_id=tenant, line_id=debit.pk, company_id=world.company.pk)
    with pytest.raises(NotFound):  # another tenant's company
        bank.match_line(tenant_id=tenant, line_id=waiting.pk, company_id=other_world.company.pk)
    with pytest.raises(NotFound):  # another tenant's line
        bank.match_line(
            tenant_id=other_world.tenant.pk, line_id=waiting.pk, company_id=other_world.company.pk
        )
    with pytest.raises(NotFound):
        bank.ignore_line(tenant_id=other_world.tenant.pk, line_id=waiting.pk)
    assert state() == before


def test_money_out_that_waits_cannot_be_a_payment(world, books):
    imported = _import(world)
    debit = next(x for x in _lines(imported) if x.amount < 0)
    BankLine.objects.filter(pk=debit.pk).update(status="unmatched")
    with pytest.raises(ValidationFailed) as refused:
        bank.match_line(tenant_id=world.tenant.pk, line_id=debit.pk, company_id=world.company.pk)
    assert refused.value.code == "bank_line_not_credit"


def test_a_clerk_sets_a_credit_aside(world, books):
    waiting = next(x for x in _lines(_import(world)) if x.status == "unmatched")
    decided = bank.ignore_line(tenant_id=world.tenant.pk, line_id=waiting.pk, decided_by="Sam")
    assert (decided.status, decided.payment, decided.decided_by) == ("ignored", None, "Sam")
    event = Event.objects.filter(type="bank_line.ignored").get()
    assert event.payload["amount"] == "15.00"


def test_a_matched_account_identifies_its_company_next_time(world, books):
    line = _lines(_import(world, "camt053_001_08.xml"))[0]  # from GB94BARC10201530093459
    bank.match_line(
        tenant_id=world.tenant.pk,
        line_id=line.pk,
        company_id=world.company.pk,
        allocations=[Allocate(books["INV-000001"].pk, D("10.00"))],
    )
    # Another bank's statement: 20.00 from the same account, an unknown name, no number.
    content = sample("camt053_001_02.xml").replace(b"Buyer One Ltd.", b"B1 HK")
    content = content.replace(
        b"<Othr><Id>004-123456-001</Id></Othr>", b"<IBAN>GB94 BARC 1020 1530 0934 59</IBAN>"
    )
    content = content.replace(b"inv000001", b"Mar")  # so that line 1 names nothing
    lines = _lines(bank.import_statement(tenant_id=world.tenant.pk, content=content))
    assert (lines[1].status, lines[1].company_id) == ("matched", world.company.pk)
    assert open_amount(books["INV-000002"]) == D(0)


# --- routes -----------------------------------------------------------------------------------


def _upload(world: World, content: bytes, *, key: str | None = None, name: str = "s.xml") -> Any:
    headers = {"Authorization": f"Bearer {world.key}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    upload = SimpleUploadedFile(name, content, content_type="application/xml")
    return world.client().client.post("/api/v1/bank-statements", {"file": upload}, headers=headers)


def test_uploading_a_statement_answers_its_counts_and_again_the_same(world, books):
    created = _upload(world, sample("camt053_001_02.xml"), name="march-5.xml")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: body[k] for k in ("format", "statement_id", "currency", "file_name")} == {
        "format": "camt053",
        "statement_id": "STMT-2026-03-05",
        "currency": "USD",
        "file_name": "march-5.xml",
    }
    assert (body["lines"], body["matched"], body["waiting"], body["ignored"]) == (5, 3, 1, 1)
    assert (body["opening_balance"], body["closing_balance"]) == ("1000.00", "1062.50")
    before = state()
    again = _upload(world, sample("camt053_001_02.xml"))
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    replayed = _upload(world, sample("camt053_001_02.xml"), key="k-1")
    assert replayed.status_code == 200
    assert state() == {**before, "events": before["events"]}
    # The invoices show paid through the API too.
    invoice = world.client().get(f"/invoices/{books['INV-000001'].pk}")
    assert (invoice.json()["state"], invoice.json()["open_amount"]) == ("paid", "0.00")


def test_a_raw_body_is_a_statement_too(world, books):
    client = world.client()
    r = client.client.post(
        "/api/v1/bank-statements?format=mt940&file_name=mt940.sta",
        sample("mt940.sta"),
        content_type="text/plain",
        headers=client.headers,
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["format"], r.json()["file_name"], r.json()["matched"]) == (
        "mt940",
        "mt940.sta",
        3,
    )


@pytest.mark.parametrize(
    "content",
    [
        b"not a statement",
        sample("mt940.sta").replace(b":62F:C260305USD1017,50\n", b""),
        sample("camt053_001_02.xml").replace(b'Ccy="USD">10.00<', b'Ccy="USD">1O.00<'),
        sample("camt053_001_02.xml").replace(b"camt.053.001.02", b"camt.054.001.02"),
    ],
)
def test_a_malformed_upload_is_422_and_changes_nothing(world, books, content):
    before = state()
    r = _upload(world, content, key="broken")
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "malformed_statement"
    assert state() == before


def test_an_upload_without_a_file_is_422(world):
    client = world.client()
    r = client.client.post("/api/v1/bank-statements", {}, headers=client.headers)
    assert (r.status_code, [e["field"] for e in r.json()["errors"]]) == (422, ["file"])
    empty = client.client.post(
        "/api/v1/bank-statements", b"", content_type="text/plain", headers=client.headers
    )
    assert empty.status_code == 422
    broken = client.client.post(
        "/api/v1/bank-statements", b"garbage", content_type="multipart/form-data",
        headers=client.headers,
    )  # fmt: skip
    assert (broken.status_code, broken.json()["code"]) == (400, "malformed_request")


def test_statements_and_lines_are_read_and_the_queue_is_worked(world, books):
    statement_id = _upload(world, sample("camt053_001_02.xml")).json()["id"]
    api = world.client()
    listed = api.get("/bank-statements").json()
    assert [s["id"] for s in listed["items"]] == [statement_id]
    detail = api.get(f"/bank-statements/{statement_id}").json()
    assert [(x["line_number"], x["amount"], x["status"]) for x in detail["entries"]] == [
        (1, "10.00", "matched"),
        (2, "20.00", "matched"),
        (3, "-12.50", "ignored"),
        (4, "30.00", "matched"),
        (5, "15.00", "unmatched"),
    ]
    assert detail["entries"][0]["invoices"] == [
        {"invoice_id": books["INV-000001"].pk, "invoice_number": "INV-000001", "amount": "10.00"}
    ]
    queue = api.get("/bank-lines", status="unmatched").json()["items"]
    assert [(x["amount"], x["payer_name"]) for x in queue] == [("15.00", "Somebody Unknown")]
    line_id = queue[0]["id"]
    matched = api.post(f"/bank-lines/{line_id}/match", {"company_id": world.company.pk})
    assert matched.status_code == 200, matched.json()
    assert (matched.json()["status"], matched.json()["company_id"]) == ("matched", world.company.pk)
    assert matched.json()["decided_by"].startswith("staff (API key ")
    again = api.post(f"/bank-lines/{line_id}/ignore")
    assert (again.status_code, again.json()["code"]) == (409, "bank_line_decided")
    assert api.get("/bank-lines", status="unmatched").json()["items"] == []
    assert api.get(f"/bank-lines/{line_id}").json()["payment_id"] == matched.json()["payment_id"]


def test_a_match_with_bad_allocations_is_422_and_changes_nothing(world, books):
    _upload(world, sample("camt053_001_02.xml"))
    line_id = world.client().get("/bank-lines", status="unmatched").json()["items"][0]["id"]
    before = state()
    r = world.client().post(
        f"/bank-lines/{line_id}/match",
        {
            "company_id": world.company.pk,
            "allocations": [{"invoice_id": books["INV-000003"].pk, "amount": "15.00"}],
        },
    )
    assert (r.status_code, [e["code"] for e in r.json()["errors"]]) == (422, ["invoice_not_open"])
    unknown = world.client().post(f"/bank-lines/{line_id}/match", {"company_id": 1, "x": 1})
    assert unknown.status_code == 422
    assert state() == before


def test_another_tenants_statements_and_lines_are_not_found(world, books, other_world):
    statement_id = _upload(world, sample("camt053_001_02.xml")).json()["id"]
    line_id = BankLine.objects.get(statement_id=statement_id, line_number=5).pk
    intruder = other_world.client()
    before = state()
    assert intruder.get(f"/bank-statements/{statement_id}").status_code == 404
    assert intruder.get(f"/bank-lines/{line_id}").status_code == 404
    assert intruder.get("/bank-statements").json()["items"] == []
    assert intruder.get("/bank-lines").json()["items"] == []
    r = intruder.post(f"/bank-lines/{line_id}/match", {"company_id": other_world.company.pk})
    assert r.status_code == 404
    assert intruder.post(f"/bank-lines/{line_id}/ignore").status_code == 404
    # The owner cannot hand its line to another tenant's company either.
    r = world.client().post(f"/bank-lines/{line_id}/match", {"company_id": other_world.company.pk})
    assert r.status_code == 404
    # The same file is the other tenant's own statement when it imports it.
    assert _upload(other_world, sample("camt053_001_02.xml")).status_code == 201
    assert {k: v for k, v in state().items() if k not in ("statements", "lines", "events")} == {
        k: v for k, v in before.items() if k not in ("statements", "lines", "events")
    }


def test_a_read_only_key_cannot_import_or_decide(world, books):
    read_only = world.client(world.read_key)
    upload = SimpleUploadedFile("s.xml", sample("camt053_001_02.xml"))
    r = read_only.client.post(
        "/api/v1/bank-statements", {"file": upload}, headers=read_only.headers
    )
    assert r.status_code == 403
    assert BankStatement.objects.count() == 0
    assert json.loads(read_only.get("/bank-statements").content)["items"] == []


def test_a_generated_statement_of_many_lines_is_reconciled_as_the_bench_runs_it(db):
    """The bench's statement (bench/bank_import.py), smaller: 16 of 20 lines name their
    invoice, 2 pay by payer and amount, 1 waits, 1 is money out; the money adds up after."""
    from bench.bank_import import camt053, credits_for, mt940
    from bench.bank_import import world as bench_world

    loaded = bench_world(companies=6, per_company=10)
    tenant = loaded["tenant"].pk
    first, second = loaded["invoices"][:40], loaded["invoices"][40:]
    for make, invoices in ((camt053, first), (mt940, second)):
        imported = bank.import_statement(
            tenant_id=tenant, content=make(credits_for(invoices, len(invoices)))
        )
        assert (imported.matched, imported.waiting, imported.ignored) == (
            len(invoices) * 18 // 20,
            len(invoices) // 20,
            len(invoices) // 20,
        )
    assert_money_consistent(tenant)
