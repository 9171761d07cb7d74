"""Orders in another currency than the seller's base: the rate frozen at placement, approval
rules whose amounts have a currency, the API's fields, the staff's pages.

The seller keeps its books in Hong Kong dollars; its companies buy in yen, yuan or dollars.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from dinghuo.buying import queries as buying
from dinghuo.core import clock, refusals
from dinghuo.core.errors import ValidationFailed
from dinghuo.customers.models import CreditLine
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement
from dinghuo.orders import judging, services
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.models import ApprovalRule, Order
from dinghuo.pricing.models import ExchangeRate
from tests.backoffice.staffing import staff_client, texts
from tests.builders import World, build_world
from tests.orders import support
from tests.orders.support import add_rule, buyer_in
from tests.portal.ordering import csrf_post, sign_in
from tests.portal.test_cart_and_checkout import checkout_form

TODAY = date(2026, 3, 20)
NOON = datetime(2026, 3, 20, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def hk(db: None) -> World:
    """A seller whose base currency is the Hong Kong dollar, its own company buying in HKD."""
    return build_world("hk", currency="HKD")


def set_rate(world: World, currency: str, rate: str, day: date = TODAY) -> ExchangeRate:
    return support.set_rate(world, currency, rate, day)


def place(world: World, *lines: tuple[str, int], at: datetime = NOON, **extra: Any) -> Order:
    """An order of the world's company, placed at `at` through the service."""
    with clock.as_of(at):
        return services.place_order(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            ship_to_id=world.ship_to.pk,
            lines=[LineRequest(sku, quantity) for sku, quantity in lines],
            **extra,
        )


def approvals(order: Order) -> list[tuple[int, str, list[str]]]:
    return [
        (a.level, a.approver, [r["text"] if isinstance(r, dict) else r for r in a.reasons])
        for a in order.approvals.order_by("level", "approver")
    ]


# --- the rate frozen on the order ----------------------------------------------------------


class TestFrozenRate:
    def test_an_order_in_the_base_currency_keeps_one(self, hk):
        order = place(hk, ("A-1", 2))
        assert (order.currency, order.fx_rate) == ("HKD", Decimal(1))

    def test_the_rate_of_the_day_is_frozen_and_a_later_change_leaves_it(self, hk):
        yen = buyer_in(hk, "JPY", {"A-1": "1000"})
        rate = set_rate(hk, "JPY", "0.052")
        order = place(yen, ("A-1", 3))
        assert (order.currency, order.total, order.fx_rate) == (
            "JPY",
            Decimal(3000),
            Decimal("0.052"),
        )
        rate.rate = Decimal("0.06")
        rate.save()
        set_rate(hk, "JPY", "0.07", TODAY + timedelta(days=1))
        order.refresh_from_db()
        assert order.fx_rate == Decimal("0.052")
        body = yen.client().get(f"/orders/{order.pk}").json()
        assert (body["currency"], body["base_currency"], body["exchange_rate"]) == (
            "JPY",
            "HKD",
            "0.052",
        )

    def test_the_days_rate_wins_over_the_day_befores_and_tomorrows_does_not_count(self, hk):
        yen = buyer_in(hk, "JPY", {"A-1": "1000"})
        set_rate(hk, "JPY", "0.050", TODAY - timedelta(days=1))
        set_rate(hk, "JPY", "0.052", TODAY)
        set_rate(hk, "JPY", "0.060", TODAY + timedelta(days=1))
        yesterday = place(yen, ("A-1", 1), at=NOON - timedelta(days=1))
        today = place(yen, ("A-1", 1))
        a_week_later = place(yen, ("A-1", 1), at=NOON + timedelta(days=7))  # an old rate counts
        assert [o.fx_rate for o in (yesterday, today, a_week_later)] == [
            Decimal("0.050"),
            Decimal("0.052"),
            Decimal("0.060"),
        ]

    def test_the_day_is_the_local_date_of_placing(self, hk):
        """01:30 in Hong Kong on the 20th is still the 19th in UTC: the 20th's rate counts."""
        yen = buyer_in(hk, "JPY", {"A-1": "1000"})
        set_rate(hk, "JPY", "0.050", TODAY - timedelta(days=1))
        set_rate(hk, "JPY", "0.052", TODAY)
        early = datetime(2026, 3, 19, 17, 30, tzinfo=ZoneInfo("UTC"))  # as the clock says it
        with timezone.override(ZoneInfo("Asia/Hong_Kong")):
            order = place(yen, ("A-1", 1), at=early)
        assert order.fx_rate == Decimal("0.052")

    def test_without_a_rate_the_order_is_refused_and_nothing_is_written(self, hk):
        yen = buyer_in(hk, "JPY", {"A-1": "1000"})
        set_rate(hk, "JPY", "0.052", TODAY + timedelta(days=1))  # tomorrow's does not count
        place(yen, ("A-1", 1), at=NOON + timedelta(days=1))  # the company's credit line exists
        before = _everything()
        with clock.as_of(NOON):
            r = yen.client().place(yen.order_body(("A-1", 3)), key="no-rate")
        assert r.status_code == 422
        problem = r.json()
        assert problem["code"] == "exchange_rate_missing"
        assert [(e["field"], e["code"], e["currency"], e["base_currency"])
                for e in problem["errors"]] == [
            ("currency", "exchange_rate_missing", "JPY", "HKD")
        ]  # fmt: skip
        assert _everything() == before
        # Once the seller sets a rate, the same key places the order.
        set_rate(hk, "JPY", "0.052", TODAY)
        with clock.as_of(NOON):
            again = yen.client().place(yen.order_body(("A-1", 3)), key="no-rate")
        assert again.status_code == 201, again.json()
        assert again.json()["exchange_rate"] == "0.052"

    def test_a_foreign_currency_costs_one_query_more_and_the_base_none(self, hk):
        yen = buyer_in(hk, "JPY", {"A-1": "1000"})
        set_rate(hk, "JPY", "0.052")
        place(hk, ("A-1", 1))  # warm
        place(yen, ("A-1", 1))
        with CaptureQueriesContext(connection) as base:
            place(hk, ("A-1", 1))
        with CaptureQueriesContext(connection) as foreign:
            place(yen, ("A-1", 1))
        assert len(foreign) == len(base) + 1
        assert sum("pricing_exchangerate" in q["sql"] for q in base.captured_queries) == 0
        assert sum("pricing_exchangerate" in q["sql"] for q in foreign.captured_queries) == 1

    def test_the_placed_event_says_the_rate_of_an_order_in_another_currency(self, hk):
        yen = buyer_in(hk, "JPY", {"A-1": "1000"})
        set_rate(hk, "JPY", "0.0520")
        foreign = place(yen, ("A-1", 1))
        own = place(hk, ("A-1", 1))
        payloads = {e.aggregate_id: e.payload for e in Event.objects.filter(type="order.placed")}
        assert (payloads[foreign.pk]["base_currency"], payloads[foreign.pk]["exchange_rate"]) == (
            "HKD",
            "0.052",
        )
        assert "exchange_rate" not in payloads[own.pk]


def _everything() -> tuple[Any, ...]:
    """What a refused order must leave as it was."""
    return (
        Order.objects.count(),
        Event.objects.count(),
        StockMovement.objects.count(),
        Reservation.objects.count(),
        sorted(StockLevel.objects.values_list("id", "on_hand", "reserved")),
        sorted(CreditLine.objects.values_list("id", "order_exposure")),
    )


def test_the_refusal_is_said_to_buyers_and_staff_with_the_currencys_name(hk):
    yen = buyer_in(hk, "JPY", {"A-1": "1000"})
    with pytest.raises(ValidationFailed) as refused:
        place(yen, ("A-1", 1))
    error = refused.value
    assert refusals.messages(error, audience=refusals.BUYER) == [
        "This order cannot be placed in Japanese yen today: the seller has not set an exchange "
        "rate. Please contact them."
    ]
    assert refusals.messages(error, audience=refusals.STAFF) == [
        "There is no exchange rate from Japanese yen to Hong Kong dollars for this day yet: "
        "set one first."
    ]
    with translation.override("zh-hant"):
        assert refusals.messages(error, audience=refusals.BUYER) == [
            "今天無法以日圓下此訂單：賣方尚未設定匯率。請聯絡賣方。"
        ]
    with translation.override("zh-hans"):
        assert refusals.messages(error, audience=refusals.STAFF) == [
            "尚未设定此日的日元兑港元汇率：请先设定。"
        ]


# --- approval rules in currencies ------------------------------------------------------------


class TestApprovalRulesInCurrencies:
    def test_the_issues_example_a_rule_in_hkd_and_orders_in_yen(self, hk):
        """A rule of 100,000 or more meant in HKD: ¥100,000 (HK$5,200) passes, ¥2,000,000
        (HK$104,000) needs the sales desk."""
        yen = buyer_in(hk, "JPY", {"D-4": "1000"})
        set_rate(hk, "JPY", "0.052")
        add_rule(hk, "Orders of 100,000 or more", approver="seller", level=2,
                 min_amount=Decimal(100_000))  # fmt: skip
        small = place(yen, ("D-4", 100))
        assert (small.total, small.status, approvals(small)) == (Decimal(100_000), "placed", [])
        big = place(yen, ("D-4", 2000))
        assert big.status == "awaiting_approval"
        assert approvals(big) == [
            (2, "seller", [
                "Orders of 100,000 or more: 2000000 JPY (104000.00 HKD) is 100000.00 HKD or more"
            ])
        ]  # fmt: skip

    def test_the_boundary_to_the_yen_and_to_the_cent(self, hk):
        add_rule(hk, "Big", approver="seller", min_amount=Decimal("100000.00"))
        yen = buyer_in(hk, "JPY", {"D-4": "1"})
        set_rate(hk, "JPY", "0.052")
        # ¥1,923,077 × 0.052 = HK$100,000.004 → HK$100,000.00; one yen less: HK$99,999.95
        assert place(yen, ("D-4", 1_923_077)).status == "awaiting_approval"
        assert place(yen, ("D-4", 1_923_076)).status == "placed"
        yuan = buyer_in(hk, "CNY", {"D-4": "92592.59", "C-3": "92592.58"}, code="C002")
        set_rate(hk, "CNY", "1.08")
        # CN¥92,592.59 × 1.08 = HK$99,999.9972 → HK$100,000.00; a cent less: 99,999.9864 →
        # HK$99,999.99
        caught = place(yuan, ("D-4", 1))
        passed = place(yuan, ("C-3", 1))
        assert (caught.status, passed.status) == ("awaiting_approval", "placed")
        assert approvals(caught)[0][2] == [
            "Big: 92592.59 CNY (100000.00 HKD) is 100000.00 HKD or more"
        ]
        # The same rule in the base currency judges an order in it as it is.
        assert place(hk, ("D-4", 1000)).status == "awaiting_approval"  # HK$100,000.00
        assert place(hk, ("D-4", 999), ("C-3", 2)).status == "placed"  # HK$99,900.67

    def test_a_rule_in_the_orders_own_currency_needs_no_conversion(self, hk):
        yen = buyer_in(hk, "JPY", {"D-4": "1000"})
        set_rate(hk, "JPY", "0.052")
        add_rule(hk, "Yen orders of a million", min_amount=Decimal(1_000_000), currency="JPY")
        assert place(yen, ("D-4", 999)).status == "placed"
        caught = place(yen, ("D-4", 1000))
        assert approvals(caught) == [
            (1, "company", ["Yen orders of a million: 1000000 JPY is 1000000 JPY or more"])
        ]
        # For an order in HKD the rule's yen are compared at the day's rate: HK$52,000 is
        # ¥1,000,000, HK$51,900 ¥998,077.
        assert place(hk, ("D-4", 519)).status == "placed"
        assert place(hk, ("D-4", 520)).status == "awaiting_approval"

    def test_a_rule_in_a_third_currency_goes_through_two_rates(self, hk):
        yen = buyer_in(hk, "JPY", {"D-4": "1000"})
        set_rate(hk, "JPY", "0.052")
        set_rate(hk, "USD", "7.8")
        add_rule(hk, "Dollar orders", approver="seller", min_amount=Decimal(10_000),
                 currency="USD")  # fmt: skip
        # ¥2,000,000 → HK$104,000 → US$13,333.33; ¥1,000,000 → US$6,666.67
        big = place(yen, ("D-4", 2000))
        assert approvals(big) == [
            (1, "seller", [
                "Dollar orders: 2000000 JPY (13333.33 USD) is 10000.00 USD or more"
            ])
        ]  # fmt: skip
        assert place(yen, ("D-4", 1000)).status == "placed"
        # Without the dollar's rate the rule cannot be judged on amount: it does not match.
        ExchangeRate.objects.filter(currency="USD").delete()
        assert place(yen, ("D-4", 2000)).status == "placed"

    def test_the_preview_converts_at_todays_rate(self, hk):
        yen = buyer_in(hk, "JPY", {"D-4": "1000"})
        set_rate(hk, "JPY", "0.052")
        add_rule(hk, "Big", approver="seller", min_amount=Decimal(100_000))
        preview = judging.preview_routing(
            hk.tenant.pk, yen.company.pk, [LineRequest("D-4", 2000)], at=NOON
        )
        assert [(s.level, s.approver) for s in preview.approvals] == [(1, "seller")]
        small = judging.preview_routing(
            hk.tenant.pk, yen.company.pk, [LineRequest("D-4", 100)], at=NOON
        )
        assert small.approvals == []
        # Before the seller had a rate nothing can be converted: the rule cannot match.
        before = judging.preview_routing(
            hk.tenant.pk, yen.company.pk, [LineRequest("D-4", 2000)], at=NOON - timedelta(days=2)
        )
        assert before.approvals == []


class TestApprovalRulesApi:
    def test_a_rule_is_in_the_base_currency_unless_told_and_says_it(self, hk):
        api = hk.client()
        r = api.post("/approval-rules", {"name": "Big", "approver": "seller",
                                         "min_amount": "100000"})  # fmt: skip
        assert r.status_code == 201, r.json()
        assert (r.json()["min_amount"], r.json()["currency"]) == ("100000.00", "HKD")
        rule_id = r.json()["id"]
        assert ApprovalRule.objects.get(pk=rule_id).currency == "HKD"
        listed = api.get("/approval-rules").json()["items"]
        assert [(x["id"], x["currency"]) for x in listed] == [(rule_id, "HKD")]

    def test_an_amount_in_another_currency_needs_a_rate(self, hk):
        api = hk.client()
        body = {"name": "Yen", "approver": "seller", "min_amount": "1000000", "currency": "JPY"}
        refused = api.post("/approval-rules", body)
        assert refused.status_code == 422
        assert refused.json()["code"] == "exchange_rate_missing"
        assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
            ("currency", "exchange_rate_missing")
        ]
        assert ApprovalRule.objects.count() == 0
        # A rule without an amount needs no rate; nor does a currency that is not one.
        no_amount = api.post("/approval-rules", {"name": "Any", "approver": "seller",
                                                 "currency": "JPY"})  # fmt: skip
        assert no_amount.status_code == 201
        unknown = api.post("/approval-rules", {**body, "currency": "XYZ"})
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["code"] == "invalid_currency"
        month_ago = timezone.localdate() - timedelta(days=30)
        set_rate(hk, "JPY", "0.052", month_ago)  # an old rate counts
        created = api.post("/approval-rules", body)
        assert created.status_code == 201, created.json()
        assert (created.json()["currency"], created.json()["min_amount"]) == ("JPY", "1000000")

    def test_changing_the_currency_or_amount_checks_the_rate(self, hk):
        api = hk.client()
        rule_id = api.post("/approval-rules", {"name": "Big", "approver": "seller",
                                               "min_amount": "100000"}).json()["id"]  # fmt: skip
        refused = api.send("PATCH", f"/approval-rules/{rule_id}", '{"currency": "USD"}')
        assert (refused.status_code, refused.json()["code"]) == (422, "exchange_rate_missing")
        assert ApprovalRule.objects.get(pk=rule_id).currency == "HKD"
        set_rate(hk, "USD", "7.8", timezone.localdate())
        changed = api.send("PATCH", f"/approval-rules/{rule_id}", '{"currency": "USD"}')
        assert changed.status_code == 200, changed.json()
        assert changed.json()["currency"] == "USD"
        renamed = api.send("PATCH", f"/approval-rules/{rule_id}", '{"name": "Dollar orders"}')
        assert (renamed.json()["name"], renamed.json()["currency"]) == ("Dollar orders", "USD")
        event = Event.objects.filter(type="approval_rule.changed").order_by("-id").first()
        assert event is not None and event.payload["currency"] == "USD"

    def test_the_openapi_document_names_the_currencies(self, hk):
        schema = hk.client().get("/openapi.json").json()["components"]["schemas"]
        order = schema["OrderOut"]["properties"]
        assert {"base_currency", "exchange_rate"} <= set(order)
        assert "frozen" in order["exchange_rate"]["description"]
        assert "currency" in schema["ApprovalRuleOut"]["required"]
        assert "base currency" in schema["ApprovalRuleIn"]["properties"]["currency"]["description"]


def test_an_orders_answer_in_the_base_currency_has_a_rate_of_one(hk):
    r = hk.client().place(hk.order_body(("A-1", 2)))
    assert (r.json()["base_currency"], r.json()["exchange_rate"]) == ("HKD", "1")


# --- the staff's pages --------------------------------------------------------------------


def test_the_staff_order_page_says_the_rate_in_words(hk):
    dollars = buyer_in(hk, "USD", {"A-1": "10.00"}, code="U001")
    set_rate(hk, "USD", "7.80", timezone.localdate())
    foreign = dollars.client().place(dollars.order_body(("A-1", 2)), key="usd").json()
    own = hk.client().place(hk.order_body(("A-1", 2)), key="hkd").json()
    staff = staff_client(hk)
    page = texts(staff.client.get(f"/staff/orders/{foreign['id']}/"))
    assert "1 US dollar = 7.80 Hong Kong dollars" in page
    own_page = texts(staff.client.get(f"/staff/orders/{own['id']}/"))
    assert 'data-testid="exchange-rate"' not in own_page
    chinese = staff.client.get(f"/staff/orders/{foreign['id']}/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert "1 美元 = 7.80 港元" in texts(chinese)


def test_a_small_rate_is_said_for_a_hundred_units_as_on_the_rates_page(hk):
    yen = buyer_in(hk, "JPY", {"A-1": "1000"}, code="Y001")
    set_rate(hk, "JPY", "0.0521", timezone.localdate())
    order = yen.client().place(yen.order_body(("A-1", 2)), key="jpy").json()
    page = texts(staff_client(hk).client.get(f"/staff/orders/{order['id']}/"))
    assert "100 Japanese yen = 5.21 Hong Kong dollars" in page


def test_a_buyer_checking_out_without_a_rate_reads_why_in_their_language(hk):
    yen = buyer_in(hk, "JPY", {"A-1": "1000"})
    buyer = sign_in(yen)
    buyer.add(yen, "A-1", 2)
    form = checkout_form(buyer.client.get("/checkout/").content.decode())
    html = texts(csrf_post(buyer.client, "/checkout/", form))
    assert (
        "This order cannot be placed in Japanese yen today: the seller has not set an exchange "
        "rate. Please contact them."
    ) in html
    buyer.client.cookies["django_language"] = "zh-hant"
    chinese = texts(csrf_post(buyer.client, "/checkout/", form))
    assert "今天無法以日圓下此訂單：賣方尚未設定匯率。請聯絡賣方。" in chinese
    assert not Order.objects.exists()
    assert len(buying.cart(hk.tenant.pk, yen.company.pk, buyer.member.pk).lines) == 1
