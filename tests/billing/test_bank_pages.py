"""The back office's bank reconciliation pages (`backoffice.views_bank`): a clerk imports a
statement, sees what became of each line, works the queue (matches a credit to a company and
its invoices, or sets it aside), once per form token; in three languages; another tenant's
statement, line or company is not found and nothing changes."""

import re
from pathlib import Path
from typing import Any

import pytest
from bench.bank_import import camt053, credits_for
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.billing.models import BankLine, BankStatement, Payment
from dinghuo.billing.services import bank
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.billing import test_bank_reconciliation as reconciliation
from tests.builders import build_world

pytestmark = pytest.mark.urls("tests.billing.bank_urls")

books = reconciliation.books  # the invoices the samples pay (a fixture)
state = reconciliation.state

SAMPLES = Path(__file__).parent / "statements"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _token(page: str, form: str) -> str:
    found = re.search(rf'data-testid="{form}".*?name="token" value="([0-9a-f]+)"', page, re.S)
    assert found is not None, form
    return found.group(1)


def _upload(staff: Any, content: bytes, name: str = "march.xml") -> Any:
    page = texts(staff.client.get("/staff/bank/"))
    body = {"token": _token(page, "import-form"), "file": SimpleUploadedFile(name, content)}
    return csrf_post(staff.client, "/staff/bank/import/", body)


def _waiting(world: Any) -> BankLine:
    return BankLine.objects.get(statement__tenant=world.tenant, status="unmatched")


def test_a_clerk_imports_a_statement_and_sees_its_lines(world, books):
    staff = staff_client(world)
    r = _upload(staff, sample("camt053_001_02.xml"))
    statement = BankStatement.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/staff/bank/statements/{statement.pk}/")
    page = texts(staff.client.get(r["Location"]))
    assert "Statement imported: 3 credits recorded as payments, 1 waiting." in page
    assert page.count('data-status="matched"') == 3
    assert page.count('data-status="unmatched"') == 1
    assert "INV-000001" in page and "Buyer One" in page
    # The same file again: nothing changes, and the clerk is told so.
    before = state()
    again = _upload(staff, sample("camt053_001_02.xml"), name="again.xml")
    assert again["Location"] == f"/staff/bank/statements/{statement.pk}/"
    assert "This statement was imported before; nothing changed." in texts(
        staff.client.get(again["Location"])
    )
    assert state() == before
    listed = texts(staff.client.get("/staff/bank/"))
    assert f'data-testid="statement-{statement.pk}"' in listed
    assert "1 credit waiting for a clerk" in listed


def test_a_malformed_file_is_refused_next_to_the_field_and_changes_nothing(world, books):
    staff = staff_client(world)
    before = state()
    r = _upload(staff, b"<Document>not a statement</Document>")
    assert r.status_code == 200
    assert 'data-testid="error-file"' in texts(r)
    assert state() == before


def test_a_clerk_matches_a_waiting_credit_once(world, books):
    staff = staff_client(world)
    bank.import_statement(tenant_id=world.tenant.pk, content=sample("camt053_001_08.xml"))
    line = _waiting(world)  # 60.00 from "Buyer One": the page suggests the company
    queue = texts(staff.client.get("/staff/bank/queue/"))
    assert f'data-testid="queue-line-{line.pk}"' in queue
    page = texts(staff.client.get(f"/staff/bank/lines/{line.pk}/"))
    assert f'href="?company={world.company.pk}" data-testid="suggested"' in page
    page = texts(staff.client.get(f"/staff/bank/lines/{line.pk}/?company={world.company.pk}"))
    assert 'data-testid="open-invoice-INV-000001"' in page
    body = {
        "token": _token(page, "match-form"),
        "company": str(world.company.pk),
        "apply": "chosen",
        f"invoice_{books['INV-000002'].pk}": "20.00",
    }
    r = csrf_post(staff.client, f"/staff/bank/lines/{line.pk}/match/", body)
    assert (r.status_code, r["Location"]) == (302, "/staff/bank/queue/")
    line.refresh_from_db()
    decided = (line.status, line.company_id, line.decided_by)
    assert decided == ("matched", world.company.pk, "Sam Staff")
    assert list(line.payment.allocations.values_list("invoice_id", "amount")) == [
        (books["INV-000002"].pk, books["INV-000002"].total)
    ]
    # The same form sent again: one payment.
    again = csrf_post(staff.client, f"/staff/bank/lines/{line.pk}/match/", body)
    assert again["Location"] == f"/staff/bank/lines/{line.pk}/"
    assert Payment.objects.count() == 1
    decided = texts(staff.client.get(f"/staff/bank/lines/{line.pk}/"))
    assert 'data-testid="match-form"' not in decided and "INV-000002" in decided


def test_a_refused_match_is_said_next_to_the_invoice_and_changes_nothing(world, books):
    staff = staff_client(world)
    bank.import_statement(tenant_id=world.tenant.pk, content=sample("camt053_001_08.xml"))
    line = _waiting(world)
    page = texts(staff.client.get(f"/staff/bank/lines/{line.pk}/?company={world.company.pk}"))
    field = f"invoice_{books['INV-000001'].pk}"
    before = state()
    body = {
        "token": _token(page, "match-form"),
        "company": str(world.company.pk),
        "apply": "chosen",
        field: "15.00",  # INV-000001 owes 10.00
    }
    r = csrf_post(staff.client, f"/staff/bank/lines/{line.pk}/match/", body)
    assert r.status_code == 200
    assert f'data-testid="error-{field}"' in texts(r)
    assert "More than the invoice still owes." in texts(r)
    assert state() == before


def test_a_clerk_sets_a_credit_aside(world, books):
    staff = staff_client(world)
    bank.import_statement(tenant_id=world.tenant.pk, content=sample("camt053_001_02.xml"))
    line = _waiting(world)
    page = texts(staff.client.get(f"/staff/bank/lines/{line.pk}/"))
    r = csrf_post(
        staff.client,
        f"/staff/bank/lines/{line.pk}/ignore/",
        {"token": _token(page, "ignore-form")},
    )
    assert r["Location"] == "/staff/bank/queue/"
    line.refresh_from_db()
    assert line.status == "ignored"
    assert 'data-testid="queue-empty"' in texts(staff.client.get("/staff/bank/queue/"))


@pytest.mark.parametrize(
    ("language", "words", "wrong"),
    [
        ("zh-hant", ["銀行對帳單", "匯入對帳單", "待人工核對", "對帳單明細"], "訂單項目"),
        ("zh-hans", ["银行对账单", "导入对账单", "待人工核对", "对账单明细"], "订单项目"),
    ],
)
def test_the_pages_speak_chinese(world, books, language, words, wrong):
    staff = staff_client(world)
    bank.import_statement(tenant_id=world.tenant.pk, content=sample("camt053_001_02.xml"))
    staff.client.cookies["django_language"] = language
    statement = BankStatement.objects.get()
    line = _waiting(world)
    pages = "".join(
        texts(staff.client.get(path))
        for path in (
            "/staff/bank/",
            f"/staff/bank/statements/{statement.pk}/",
            "/staff/bank/queue/",
            f"/staff/bank/lines/{line.pk}/?company={world.company.pk}",
        )
    )
    for word in words:
        assert word in pages
    for english in ("Bank statement", "Waiting for a clerk", "Set aside", "Import", "Booked on"):
        assert english not in pages
    # A statement's lines are not an order's lines.
    assert wrong not in pages


def test_the_statement_page_makes_as_many_queries_for_many_lines_as_for_few(world):
    staff = staff_client(world)

    def queries_for(lines: int) -> int:
        content = camt053(credits_for([(f"X-{lines}", "Nobody", 1)], lines))
        imported = bank.import_statement(tenant_id=world.tenant.pk, content=content)
        with CaptureQueriesContext(connection) as seen:
            page = staff.client.get(f"/staff/bank/statements/{imported.statement.pk}/")
            assert page.status_code == 200
        return len(seen)

    assert queries_for(3) == queries_for(40)


def test_another_tenants_staff_finds_nothing(world, books):
    bank.import_statement(tenant_id=world.tenant.pk, content=sample("camt053_001_02.xml"))
    statement, line = BankStatement.objects.get(), _waiting(world)
    other = build_world("globex")
    intruder = staff_client(other, "ivan@other.test")
    before = state()
    for path in (
        f"/staff/bank/statements/{statement.pk}/",
        f"/staff/bank/lines/{line.pk}/",
        f"/staff/bank/lines/{line.pk}/?company={world.company.pk}",
    ):
        assert intruder.client.get(path).status_code == 404, path
    for path, body in (
        (f"/staff/bank/lines/{line.pk}/match/", {"token": "t1", "company": world.company.pk}),
        (f"/staff/bank/lines/{line.pk}/ignore/", {"token": "t2"}),
    ):
        assert csrf_post(intruder.client, path, body).status_code == 404, path
    assert f"statement-{statement.pk}" not in texts(intruder.client.get("/staff/bank/"))
    # The owner's clerk cannot hand the line to the other tenant's company.
    owner = staff_client(world)
    r = csrf_post(
        owner.client,
        f"/staff/bank/lines/{line.pk}/match/",
        {"token": "t3", "company": other.company.pk, "apply": "oldest"},
    )
    assert r.status_code == 404
    assert state() == before


def test_a_bank_line_leaves_out_what_the_bank_did_not_send(world, books):
    staff = staff_client(world)
    bank.import_statement(tenant_id=world.tenant.pk, content=sample("camt053_001_02.xml"))
    line = _waiting(world)
    BankLine.objects.filter(pk=line.pk).update(payer_account="", bank_reference="")
    page = texts(staff.client.get(f"/staff/bank/lines/{line.pk}/"))
    assert "Payer's account" not in page and "Bank's reference" not in page
    BankLine.objects.filter(pk=line.pk).update(payer_account="GB29NWBK60161331926819")
    page = texts(staff.client.get(f"/staff/bank/lines/{line.pk}/"))
    assert "Payer's account</dt><dd>GB29NWBK60161331926819<" in page
