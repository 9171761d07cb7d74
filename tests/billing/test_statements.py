"""Statements of account: the pure builder (date order, running balance), the query over a
company's real history (opening and closing balances, what was open on the last day, checked
against the counters billing keeps), the PDF in the reader's language, the API's staff and
buyer routes, and the back office's and the portal's pages (with the aging page and its
downloads)."""

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pypdf
import pytest
from django.db.models import Sum
from django.urls import include, path
from ninja.testing import TestClient

from dinghuo.api import problems
from dinghuo.api.auth import ApiKeyAuth, BuyerKeyAuth
from dinghuo.api.root import DinghuoAPI, OrjsonParser, OrjsonRenderer
from dinghuo.backoffice import urls as backoffice_urls
from dinghuo.backoffice import views_receivables
from dinghuo.billing import aging, services, statement_pdf, statements
from dinghuo.billing.api import statements as statements_api
from dinghuo.billing.models import Account, Receivable
from dinghuo.config import urls as project_urls
from dinghuo.core import clock, pdf
from dinghuo.core.errors import NotFound, ValidationFailed
from dinghuo.portal import urls as portal_urls
from dinghuo.portal import views_statement
from tests.backoffice.staffing import staff_client
from tests.billing.support import at, invoices_of, pay, shipped_order
from tests.builders import World, add_buyer
from tests.portal.ordering import sign_in

D = Decimal
JAN5, JAN10, JAN20 = date(2026, 1, 5), date(2026, 1, 10), date(2026, 1, 20)
FEB3, FEB6, FEB15, FEB20, MAR1 = (
    date(2026, 2, 3),
    date(2026, 2, 6),
    date(2026, 2, 15),
    date(2026, 2, 20),
    date(2026, 3, 1),
)

# The pages' routes as the lead wires them (backoffice/urls.py, portal/urls.py), mounted in
# front of the project's own for these tests.
_STAFF_ROUTES = [
    path("receivables/", views_receivables.aging, name="receivables"),
    path("receivables/aging.csv", views_receivables.aging_csv, name="receivables-csv"),
    path("receivables/aging.xlsx", views_receivables.aging_xlsx, name="receivables-xlsx"),
    path("companies/<int:company_id>/statement/", views_receivables.statement, name="statement"),
    path(
        "companies/<int:company_id>/statement/pdf/",
        views_receivables.statement_as_pdf,
        name="statement-pdf",
    ),
]
_BUYER_ROUTES = [
    path("statement/", views_statement.statement, name="statement"),
    path("statement/pdf/", views_statement.statement_as_pdf, name="statement-pdf"),
]
urlpatterns = [
    path("staff/", include(([*_STAFF_ROUTES, *backoffice_urls.urlpatterns], "backoffice"))),
    path("", include(([*_BUYER_ROUTES, *portal_urls.urlpatterns], "portal"))),
    *(
        pattern
        for pattern in project_urls.urlpatterns
        if getattr(pattern, "namespace", None) not in {"backoffice", "portal"}
    ),
]


@pytest.fixture
def wired(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def _api() -> DinghuoAPI:
    """The statements routers on an API of their own, as `config.api` mounts billing's."""
    api = DinghuoAPI(
        auth=ApiKeyAuth(),
        parser=OrjsonParser(),
        renderer=OrjsonRenderer(),
        urls_namespace="test-statements",
    )
    problems.install(api)
    api.add_router("/", statements_api.router)
    api.add_router("/my", statements_api.buyer_router, auth=BuyerKeyAuth())
    return api


API = _api()


def _get(key: str, route: str, **params: str) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return TestClient(API).get(
        f"{route}?{query}" if query else route, headers={"Authorization": f"Bearer {key}"}
    )


# --- the pure builder --------------------------------------------------------------------------


def _party() -> statements.Party:
    return statements.Party(1, "C001", "Buyer One", "HKD", {"company": "Buyer One"}, {})


def _moment(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_lines_follow_the_date_then_the_order_recorded_with_a_running_balance() -> None:
    day = date(2026, 3, 2)
    movements = [
        statements.Movement(day, statements.PAYMENT, 7, "TT 1", D("30.00"), _moment(day, 15)),
        statements.Movement(date(2026, 3, 9), statements.REFUND, 8, "", D("5.00"), _moment(day, 9)),
        statements.Movement(day, statements.INVOICE, 3, "INV-3", D("50.00"), _moment(day, 9)),
        statements.Movement(
            date(2026, 3, 1), statements.CREDIT_NOTE, 2, "CN-2", D("10.00"), _moment(day, 20)
        ),
    ]
    found = statements.build(
        _party(), date(2026, 3, 1), date(2026, 3, 31), D("100.00"), movements, []
    )
    assert [(line.movement.reference, line.balance) for line in found.lines] == [
        ("CN-2", D("90.00")),
        ("INV-3", D("140.00")),
        ("TT 1", D("110.00")),
        ("", D("115.00")),
    ]
    assert (found.opening, found.debits, found.credits, found.closing) == (
        D("100.00"),
        D("55.00"),
        D("40.00"),
        D("115.00"),
    )
    assert found.lines[0].movement.credit == D("10.00")
    assert found.lines[0].movement.debit is None


def test_what_is_open_at_the_end_is_aged_on_the_last_day() -> None:
    end = date(2026, 3, 31)
    found = statements.build(
        _party(),
        date(2026, 3, 1),
        end,
        D("80.00"),
        [],
        [
            (5, "INV-5", date(2026, 3, 1), date(2026, 3, 31), D("50.00"), D("50.00")),
            (4, "INV-4", date(2026, 1, 1), date(2026, 1, 31), D("40.00"), D("40.00")),
        ],
    )
    assert [(i.number, i.days_overdue, i.bucket) for i in found.open_items] == [
        ("INV-4", 59, aging.DAYS_31_60),
        ("INV-5", 0, aging.CURRENT),
    ]
    assert found.aged == aging.Aged(current=D("50.00"), days_31_60=D("40.00"))
    assert found.unapplied == D("10.00")  # owes 80.00 while 90.00 is open: 10.00 held


def test_the_default_period_is_the_month_and_the_two_before() -> None:
    assert statements.default_period(date(2026, 3, 15)) == (date(2026, 1, 1), date(2026, 3, 15))
    assert statements.default_period(date(2026, 1, 31)) == (date(2025, 11, 1), date(2026, 1, 31))
    assert statements.period(None, date(2026, 2, 10), date(2026, 5, 1)) == (
        date(2025, 12, 1),
        date(2026, 2, 10),
    )
    with pytest.raises(ValidationFailed) as refused:
        statements.period(date(2026, 2, 2), date(2026, 2, 1), date(2026, 5, 1))
    assert refused.value.errors[0].code == "period_not_ordered"


# --- a company's real history -------------------------------------------------------------------


@pytest.fixture
def history(world: World) -> World:
    """Invoices A 10.00 (5 Jan, due 4 Feb) and B 20.00 (10 Jan, due 9 Feb); 15.00 paid on
    20 Jan (A in full, 5.00 of B); a credit note of 5.00 on B (3 Feb); invoice C 30.00
    (6 Feb, due 8 Mar); 50.00 paid on 15 Feb (B and C settled, 10.00 held); 4.00 refunded
    (20 Feb); invoice D 10.00 (1 Mar, due 31 Mar), 6.00 of it paid by the credit held."""
    tenant = world.tenant.pk
    for day, quantity in [(JAN5, 1), (JAN10, 2)]:
        with clock.as_of(at(day)):
            shipped_order(world, ("A-1", quantity))
    _a, b = invoices_of(world)
    with clock.as_of(at(JAN20)):
        pay(world, "15.00", received_on=JAN20, reference="TT 0120")
    with clock.as_of(at(FEB3)):
        services.issue_credit_note(
            tenant_id=tenant, invoice_id=b.pk, reason="Damaged", amount=D("5.00")
        )
    with clock.as_of(at(FEB6)):
        shipped_order(world, ("A-1", 3))
    with clock.as_of(at(FEB15)):
        pay(world, "50.00", received_on=FEB15, reference="TT 0215")
    with clock.as_of(at(FEB20)):
        services.refund(
            tenant_id=tenant,
            company_id=world.company.pk,
            amount=D("4.00"),
            method="cheque",
            refunded_on=FEB20,
        )
    with clock.as_of(at(MAR1)):
        shipped_order(world, ("A-1", 1))
    return world


def _statement(world: World, start: date, end: date) -> statements.Statement:
    return statements.statement(world.tenant.pk, world.company.pk, start, end)


def _lines(found: statements.Statement) -> list[tuple[date, str, Decimal, Decimal]]:
    return [
        (line.movement.day, line.movement.kind, line.movement.amount, line.balance)
        for line in found.lines
    ]


def test_a_month_starts_from_the_balance_brought_forward(history: World) -> None:
    found = _statement(history, date(2026, 2, 1), date(2026, 2, 28))
    assert found.opening == D("15.00")  # 10 + 20 invoiced, 15 paid
    assert _lines(found) == [
        (FEB3, "credit_note", D("5.00"), D("10.00")),
        (FEB6, "invoice", D("30.00"), D("40.00")),
        (FEB15, "payment", D("50.00"), D("-10.00")),
        (FEB20, "refund", D("4.00"), D("-6.00")),
    ]
    assert found.closing == D("-6.00")
    assert found.open_items == ()  # A, B and C were settled by then; D came later
    assert found.unapplied == D("6.00")
    assert found.lines[0].movement.invoice_number == invoices_of(history)[1].number
    assert found.lines[3].movement.method == "cheque"


def test_what_was_open_on_a_past_day_is_what_was_open_then(history: World) -> None:
    found = _statement(history, date(2026, 1, 1), date(2026, 1, 31))
    assert found.opening == 0
    assert _lines(found) == [
        (JAN5, "invoice", D("10.00"), D("10.00")),
        (JAN10, "invoice", D("20.00"), D("30.00")),
        (JAN20, "payment", D("15.00"), D("15.00")),
    ]
    b = invoices_of(history)[1]
    assert [(i.number, i.open_amount, i.days_overdue) for i in found.open_items] == [
        (b.number, D("15.00"), 0)
    ]
    assert found.aged == aging.Aged(current=D("15.00"))
    assert found.unapplied == 0
    # On 10 Feb B is one day past due, the credit note of 3 Feb counted; C is not yet due.
    later = _statement(history, date(2026, 2, 1), date(2026, 2, 10))
    assert [(i.open_amount, i.days_overdue) for i in later.open_items] == [
        (D("10.00"), 1),
        (D("30.00"), 0),
    ]
    assert later.aged == aging.Aged(current=D("30.00"), days_1_30=D("10.00"))


def test_a_statement_to_today_agrees_with_the_counters_billing_keeps(history: World) -> None:
    found = _statement(history, date(2025, 1, 1), date(2026, 12, 31))
    company = history.company
    open_now = Receivable.objects.filter(company=company).aggregate(s=Sum("open_amount"))["s"]
    assert found.aged.total == open_now == D("4.00")
    assert found.unapplied == Account.objects.get(company=company).unapplied == 0
    assert found.closing == found.aged.total - found.unapplied
    assert found.debits == D("74.00")  # 10 + 20 + 30 + 10 invoiced, 4 refunded
    assert found.credits == D("70.00")  # 15 + 50 paid, 5 credited


def test_the_number_of_queries_does_not_grow_with_the_history(
    history: World, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(11):  # one of them the seller's name (no legal name set)
        _statement(history, date(2026, 2, 1), date(2026, 2, 2))
    with django_assert_num_queries(11):
        _statement(history, date(2025, 1, 1), date(2026, 12, 31))


def test_another_tenants_company_is_not_found(history: World, other_world: World) -> None:
    with pytest.raises(NotFound):
        statements.statement(other_world.tenant.pk, history.company.pk, JAN5, MAR1)


# --- the PDF ------------------------------------------------------------------------------------


def _pdf_text(document: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_pdf_shows_balances_lines_and_aging(history: World) -> None:
    services.set_billing_policy(
        tenant_id=history.tenant.pk,
        seller_id=history.seller.pk,
        legal_name="Acme Wholesale Limited",
        payment_instructions="HSBC 123-456789-001",
    )
    found = _statement(history, date(2026, 2, 1), date(2026, 3, 10))
    text = _pdf_text(statement_pdf.statement_pdf(found, "en"))
    for expected in [
        "Acme Wholesale Limited",
        "Statement of account",
        "Buyer One",
        "Balance brought forward",
        "Opening balance",
        "Closing balance",
        "$15.00",  # brought forward
        "-$6.00",  # after the refund
        "Payment received: Bank transfer",
        "Refund: Cheque",
        "Not yet due",
        "Open invoices",
        "HSBC 123-456789-001",
    ]:
        assert expected in text, expected
    assert not re.search(r"\d\.\d{4}", text)  # no raw four-decimal amounts


@pytest.mark.skipif(pdf.cjk_font() is None, reason="no font that can write Chinese")
def test_the_pdf_in_chinese(history: World) -> None:
    found = _statement(history, date(2026, 2, 1), date(2026, 3, 10))
    text = _pdf_text(statement_pdf.statement_pdf(found, "zh-hant"))
    for expected in ["對帳單", "期初餘額", "期末餘額", "承上餘額", "未到期"]:
        assert expected in text, expected
    assert "Balance" not in text
    assert "Opening" not in text


# --- the API ------------------------------------------------------------------------------------


def test_the_staff_route_answers_the_statement(history: World) -> None:
    r = _get(
        history.key,
        f"/companies/{history.company.pk}/statement",
        **{"from": "2026-02-01", "to": "2026-02-28"},
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["company"] == {"id": history.company.pk, "code": "C001", "name": "Buyer One"}
    assert (body["from"], body["to"], body["currency"]) == ("2026-02-01", "2026-02-28", "USD")
    assert (body["opening_balance"], body["closing_balance"]) == ("15.00", "-6.00")
    assert [(x["kind"], x["debit"], x["credit"], x["balance"]) for x in body["lines"]] == [
        ("credit_note", None, "5.00", "10.00"),
        ("invoice", "30.00", None, "40.00"),
        ("payment", None, "50.00", "-10.00"),
        ("refund", "4.00", None, "-6.00"),
    ]
    assert body["lines"][2]["reference"] == "TT 0215"
    assert body["aging"] == {
        "current": "0.00",
        "days_1_30": "0.00",
        "days_31_60": "0.00",
        "days_61_90": "0.00",
        "over_90": "0.00",
        "total": "0.00",
    }
    assert body["unapplied_credit"] == "6.00"


def test_bad_periods_and_other_tenants_are_refused(history: World, other_world: World) -> None:
    route = f"/companies/{history.company.pk}/statement"
    reversed_ = _get(history.key, route, **{"from": "2026-02-02", "to": "2026-02-01"})
    assert reversed_.status_code == 422
    assert reversed_.json()["errors"][0]["code"] == "period_not_ordered"
    assert _get(history.key, route, to="0001-01-01").status_code == 422
    assert _get(history.key, route, to="not-a-day").status_code == 422
    assert _get(other_world.key, route).status_code == 404
    assert _get(other_world.key, f"{route}.pdf").status_code == 404
    _member, buyer = add_buyer(history, "ann@buyer.test")
    assert _get(buyer.headers["Authorization"][7:], route).status_code == 403


def test_the_pdf_route_answers_a_pdf(history: World) -> None:
    route = f"/companies/{history.company.pk}/statement.pdf"
    r = _get(history.key, route, **{"from": "2026-02-01", "to": "2026-02-28"})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert "statement-C001-2026-02-28.pdf" in r["Content-Disposition"]


def test_a_buyer_reads_their_own_companys_statement(history: World) -> None:
    _member, buyer = add_buyer(history, "ann@buyer.test")
    key = buyer.headers["Authorization"][7:]
    r = _get(key, "/my/statement", **{"from": "2026-01-01", "to": "2026-01-31"})
    assert r.status_code == 200, r.json()
    assert r.json()["closing_balance"] == "15.00"
    assert r.json()["open_invoices"][0]["open_amount"] == "15.00"
    pdf_answer = _get(key, "/my/statement.pdf", language="zh-hant")
    assert pdf_answer.status_code == 200
    assert pdf_answer.content.startswith(b"%PDF")
    assert _get(history.key, "/my/statement").status_code == 403  # a staff key


def test_the_aging_routes(history: World, other_world: World) -> None:
    r = _get(history.key, "/receivables/aging", on="2026-04-15")
    assert r.status_code == 200
    body = r.json()
    assert body["on"] == "2026-04-15"
    assert body["companies"] == [
        {
            "company_id": history.company.pk,
            "code": "C001",
            "name": "Buyer One",
            "currency": "USD",
            "current": "0.00",
            "days_1_30": "4.00",
            "days_31_60": "0.00",
            "days_61_90": "0.00",
            "over_90": "0.00",
            "total": "4.00",
            "base_currency": "USD",
            "base": {
                "current": "0.00",
                "days_1_30": "4.00",
                "days_31_60": "0.00",
                "days_61_90": "0.00",
                "over_90": "0.00",
                "total": "4.00",
            },
        }
    ]
    assert body["totals"][0]["currency"] == "USD"
    assert body["totals"][0]["companies"] == 1
    assert [(t["currency"], t["companies"], t["total"]) for t in body["base_totals"]] == [
        ("USD", 1, "4.00")
    ]
    assert _get(other_world.key, "/receivables/aging").json()["companies"] == []
    assert _get(history.key, "/receivables/aging", on="0001-01-01").status_code == 422
    sheet = _get(history.key, "/receivables/aging.csv", on="2026-04-15", language="zh-hans")
    assert sheet["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.content.decode())))
    assert rows[0][0] == "公司代码"
    assert rows[1][:3] == ["C001", "Buyer One", "USD"]
    workbook = _get(history.key, "/receivables/aging.xlsx", on="2026-04-15")
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert list(book.active.iter_rows(values_only=True))[1][8] == 4


# --- the pages ----------------------------------------------------------------------------------


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_aging_page_shows_totals_a_chart_and_rows(wired: None, history: World) -> None:
    staff = staff_client(history)
    page = staff.client.get("/staff/receivables/?on=2026-04-15")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="aging-chart"' in html
    assert 'data-bucket="1_30"' in html
    text = _text(page)
    assert "1–30 days overdue $4.00" in text
    assert "Buyer One" in text
    assert f"/staff/companies/{history.company.pk}/statement/" in html
    assert staff.client.get("/staff/receivables/?on=garbage&page=-4").status_code == 200
    assert "No company matches." in _text(staff.client.get("/staff/receivables/?q=nobody"))
    csv_file = staff.client.get("/staff/receivables/aging.csv?on=2026-04-15")
    assert csv_file.status_code == 200
    assert "C001,Buyer One,USD,0.00,4.00" in csv_file.content.decode()
    xlsx = staff.client.get("/staff/receivables/aging.xlsx?on=2026-04-15")
    assert xlsx.content.startswith(b"PK")


def test_the_aging_page_in_chinese(wired: None, history: World) -> None:
    staff = staff_client(history)
    staff.client.cookies["django_language"] = "zh-hant"
    text = _text(staff.client.get("/staff/receivables/?on=2026-04-15"))
    assert "應收帳款帳齡" in text
    assert "逾期 1–30 天" in text
    assert "Overdue" not in text
    assert "Total open" not in text


def test_the_staff_statement_page_and_its_pdf(
    wired: None, history: World, other_world: World
) -> None:
    staff = staff_client(history)
    route = f"/staff/companies/{history.company.pk}/statement/"
    page = staff.client.get(f"{route}?from=2026-02-01&to=2026-02-28")
    assert page.status_code == 200
    text = _text(page)
    assert "Balance brought forward" in text
    assert "Refund: Cheque" in text
    assert "-$6.00" in text
    assert "Unapplied credit: $6.00" in text
    reversed_ = staff.client.get(f"{route}?from=2026-02-28&to=2026-02-01")
    assert "The last day comes before the first." in _text(reversed_)
    pdf_file = staff.client.get(f"/staff/companies/{history.company.pk}/statement/pdf/")
    assert pdf_file["Content-Type"] == "application/pdf"
    stranger = staff_client(other_world, "eve@other.test")
    assert stranger.client.get(route).status_code == 404


def test_the_buyers_statement_page(wired: None, history: World) -> None:
    buyer = sign_in(history)
    page = buyer.client.get("/statement/?from=2026-01-01&to=2026-01-31")
    assert page.status_code == 200
    text = _text(page)
    assert "Statement of account" in text
    assert "$15.00" in text
    assert buyer.client.get("/statement/?from=x&to=y").status_code == 200
    pdf_file = buyer.client.get("/statement/pdf/?from=2026-01-01&to=2026-01-31")
    assert pdf_file.content.startswith(b"%PDF")
    buyer.client.cookies["django_language"] = "zh-hans"
    chinese = _text(buyer.client.get("/statement/?from=2026-01-01&to=2026-01-31"))
    assert "对账单" in chinese
    assert "Balance" not in chinese
