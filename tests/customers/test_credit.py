"""Credit lines and payment terms (授信及賬期) through the staff API."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dinghuo.core import clock
from dinghuo.core.errors import ValidationFailed
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, CreditLine, CreditPolicy
from tests.customers.state import customer_state, events_since, last_event_id

MARCH_10 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def patch(api, path, body):
    return api.send("PATCH", path, json.dumps(body))


def put(api, path, body):
    return api.send("PUT", path, json.dumps(body))


def use_sync(world):
    """The seller keeps its receivables in its own accounting system and syncs them here."""
    r = put(world.client(), "/billing-policy", {"receivables_source": "sync"})
    assert r.json()["receivables_source"] == "sync", r.content


def credit_of(world, company_id=None):
    r = world.client().get(f"/companies/{company_id or world.company.pk}/credit")
    assert r.status_code == 200, r.content
    return r.json()


DEFAULTS = {
    "currency": "USD",
    "credit_limit": None,
    "terms": "net",
    "terms_days": 30,
    "terms_text": "Net 30",
    "deposit_percent": 0,
    "exposure": "0.00",
    "available": None,
    "status": "ok",
    "order_exposure": "0.00",
    "invoice_exposure": "0.00",
    "oldest_unpaid_due_on": None,
    "days_overdue": 0,
    "group_exposure": None,
}


def test_a_company_without_a_credit_line_reads_as_the_defaults_and_nothing_is_written(world):
    # The builder makes its company outside the services: it has no line yet.
    assert not CreditLine.objects.filter(company=world.company).exists()

    assert credit_of(world) == DEFAULTS
    assert not CreditLine.objects.filter(company=world.company).exists()


def test_set_a_limit_and_terms(world):
    mark = last_event_id()

    r = patch(
        world.client(),
        f"/companies/{world.company.pk}/credit",
        {"credit_limit": "5000", "terms": "eom", "terms_days": 15},
    )

    assert r.status_code == 200, r.content
    assert r.json() == {
        **DEFAULTS,
        "credit_limit": "5000.00",
        "terms": "eom",
        "terms_days": 15,
        "terms_text": "End of month + 15",
        "available": "5000.00",
    }
    assert credit_of(world) == r.json()
    line = CreditLine.objects.get(company=world.company)
    assert (line.credit_limit, line.terms, line.terms_days) == (Decimal(5000), "eom", 15)
    [event] = events_since(mark)
    assert (event.type, event.aggregate_type, event.aggregate_id) == (
        "company.credit_changed",
        "company",
        world.company.pk,
    )
    assert event.payload == {
        "company": "C001",
        "currency": "USD",
        "credit_limit": "5000.00",
        "terms": "eom",
        "terms_days": 15,
        "deposit_percent": 0,
        "invoice_exposure": "0.00",
        "oldest_unpaid_due_on": None,
        "changed": ["credit_limit", "terms", "terms_days"],
    }


def test_a_limit_can_be_removed_and_the_same_change_records_nothing(world):
    api = world.client()
    path = f"/companies/{world.company.pk}/credit"
    patch(api, path, {"credit_limit": "100.50"})

    assert patch(api, path, {"credit_limit": None}).json()["credit_limit"] is None
    mark = last_event_id()
    assert patch(api, path, {"credit_limit": None, "terms": "net"}).status_code == 200
    assert events_since(mark) == []


def test_prepaid_takes_no_days(world):
    api = world.client()
    path = f"/companies/{world.company.pk}/credit"

    r = patch(api, path, {"terms": "prepaid"})
    assert (r.json()["terms"], r.json()["terms_days"], r.json()["terms_text"]) == (
        "prepaid",
        0,
        "Prepaid",
    )
    assert r.json()["status"] == "prepaid"

    before = customer_state()
    refused = patch(api, path, {"terms": "prepaid", "terms_days": 30})
    assert refused.status_code == 422
    assert refused.json()["code"] == "prepaid_has_no_days"
    also = patch(api, path, {"terms_days": 10})  # still prepaid
    assert also.json()["code"] == "prepaid_has_no_days"
    assert customer_state() == before

    back = patch(api, path, {"terms": "net", "terms_days": 45})
    assert back.json()["terms_text"] == "Net 45"


def test_a_deposit_is_a_percent_of_each_order_on_top_of_the_terms(world):
    api = world.client()
    path = f"/companies/{world.company.pk}/credit"

    r = patch(api, path, {"deposit_percent": 30})
    assert r.status_code == 200, r.content
    assert (r.json()["deposit_percent"], r.json()["terms_text"]) == (30, "30% deposit, then Net 30")
    assert patch(api, path, {"deposit_percent": 100}).json()["deposit_percent"] == 100

    before = customer_state()
    too_much = patch(api, path, {"deposit_percent": 101})
    assert too_much.status_code == 422
    with_prepaid = patch(api, path, {"terms": "prepaid", "deposit_percent": 20})
    assert (with_prepaid.status_code, with_prepaid.json()["code"]) == (
        422,
        "prepaid_has_no_deposit",
    )
    assert customer_state() == before

    # Prepaid pays the whole order first: choosing it sets the deposit to none.
    prepaid = patch(api, path, {"terms": "prepaid"})
    assert (prepaid.json()["deposit_percent"], prepaid.json()["terms_text"]) == (0, "Prepaid")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"credit_limit": "-1"}, "credit_limit_negative", "credit_limit"),
        ({"credit_limit": "-0.01"}, "credit_limit_negative", "credit_limit"),
        ({"credit_limit": "10.001"}, "too_many_decimals", "credit_limit"),
        ({"terms_days": 366}, "terms_days_out_of_range", "terms_days"),
        ({"terms_days": -1}, "terms_days_out_of_range", "terms_days"),
        ({"terms": "cod"}, "invalid_request", "terms"),
        ({"credit_limit": 5000}, "invalid_request", "credit_limit"),
        ({"credit_limit": "5,000"}, "invalid_request", "credit_limit"),
        ({"credit_limit": "1" * 12}, "invalid_request", "credit_limit"),
        ({"terms_days": "30"}, "invalid_request", "terms_days"),
        ({"terms": None}, "invalid_request", "terms"),
        ({"exposure": "0"}, "invalid_request", "exposure"),
    ],
)
def test_bad_credit_change_is_refused_and_changes_nothing(world, body, code, field):
    path = f"/companies/{world.company.pk}/credit"
    patch(world.client(), path, {"credit_limit": "100"})
    before = customer_state()

    r = patch(world.client(), path, body)

    assert r.status_code == 422
    assert r.json()["code"] == code
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert customer_state() == before


def test_every_problem_is_named_at_once(world):
    r = patch(
        world.client(),
        f"/companies/{world.company.pk}/credit",
        {"credit_limit": "-5", "terms_days": 400},
    )

    assert r.json()["code"] == "credit_limit_negative"
    assert [e["code"] for e in r.json()["errors"]] == [
        "credit_limit_negative",
        "terms_days_out_of_range",
    ]


def test_a_currency_without_cents_takes_no_cents(db):
    from tests.builders import build_world

    world = build_world("yen", currency="JPY")
    path = f"/companies/{world.company.pk}/credit"

    assert patch(world.client(), path, {"credit_limit": "1000.5"}).status_code == 422
    assert patch(world.client(), path, {"credit_limit": "1000"}).json()["credit_limit"] == "1000"


def test_receivables_sync_sets_invoice_exposure_and_overdue_days(world):
    api = world.client()
    use_sync(world)
    patch(api, f"/companies/{world.company.pk}/credit", {"credit_limit": "1000"})
    CreditLine.objects.filter(company=world.company).update(order_exposure=Decimal("200"))
    mark = last_event_id()

    with clock.as_of(MARCH_10):
        r = put(
            api,
            f"/companies/{world.company.pk}/receivables",
            {"unpaid_amount": "650.00", "oldest_unpaid_due_on": "2026-03-03"},
        )

    assert r.status_code == 200, r.content
    assert r.json() == {
        **DEFAULTS,
        "credit_limit": "1000.00",
        "order_exposure": "200.00",
        "invoice_exposure": "650.00",
        "exposure": "850.00",
        "available": "150.00",
        "oldest_unpaid_due_on": "2026-03-03",
        "days_overdue": 7,
        "status": "blocked",  # no grace: 7 days overdue blocks new orders
    }
    [event] = events_since(mark)
    assert event.type == "company.receivables_synced"
    assert (event.payload["invoice_exposure"], event.payload["oldest_unpaid_due_on"]) == (
        "650.00",
        "2026-03-03",
    )

    mark = last_event_id()
    with clock.as_of(MARCH_10):
        again = put(
            api,
            f"/companies/{world.company.pk}/receivables",
            {"unpaid_amount": "650", "oldest_unpaid_due_on": "2026-03-03"},
        )
    assert again.json() == r.json()
    assert events_since(mark) == []

    paid = put(api, f"/companies/{world.company.pk}/receivables", {"unpaid_amount": "0"})
    assert (paid.json()["invoice_exposure"], paid.json()["days_overdue"]) == ("0.00", 0)
    assert paid.json()["oldest_unpaid_due_on"] is None


def test_the_receivables_sync_is_refused_while_invoices_here_keep_them(world):
    """A seller's receivables come from one place: billing's invoices (the default) or the
    sync, never both."""
    path = f"/companies/{world.company.pk}/receivables"
    patch(world.client(), f"/companies/{world.company.pk}/credit", {"credit_limit": "1000"})
    before = customer_state()

    r = put(world.client(), path, {"unpaid_amount": "650.00", "oldest_unpaid_due_on": "2026-03-03"})

    assert r.status_code == 409
    assert r.json()["code"] == "receivables_from_invoices"
    assert customer_state() == before
    use_sync(world)
    assert put(world.client(), path, {"unpaid_amount": "0"}).status_code == 200


def test_the_sellers_grace_days_decide_between_overdue_and_blocked(world):
    CreditPolicy.objects.create(tenant=world.tenant, seller=world.seller, overdue_grace_days=10)
    use_sync(world)
    put(
        world.client(),
        f"/companies/{world.company.pk}/receivables",
        {"unpaid_amount": "10", "oldest_unpaid_due_on": "2026-03-03"},
    )

    with clock.as_of(MARCH_10):
        assert credit_of(world)["status"] == "overdue"
    with clock.as_of(datetime(2026, 3, 14, tzinfo=UTC)):
        assert credit_of(world)["status"] == "blocked"
        assert credit_of(world)["days_overdue"] == 11
    with clock.as_of(datetime(2026, 3, 1, tzinfo=UTC)):
        assert (credit_of(world)["status"], credit_of(world)["days_overdue"]) == ("ok", 0)


def test_the_grace_days_are_the_sellers_credit_policy_from_0_to_365(world):
    """The ordering policy's API sets them; customers keeps them, the credit status and the
    order judging read them from there; 365 is accepted, 366 and -1 change nothing."""
    api = world.client()
    body = {"auto_confirm": False, "credit_action": "hold", "approval_expiry_hours": 72}
    accepted = api.send("PUT", "/order-policy", json.dumps({**body, "overdue_grace_days": 365}))
    assert accepted.status_code == 200, accepted.json()
    assert CreditPolicy.objects.get(seller=world.seller).overdue_grace_days == 365
    assert api.get("/order-policy").json()["overdue_grace_days"] == 365
    for days in (366, -1):
        refused = api.send("PUT", "/order-policy", json.dumps({**body, "overdue_grace_days": days}))
        assert refused.status_code == 422
    assert CreditPolicy.objects.get(seller=world.seller).overdue_grace_days == 365

    with pytest.raises(ValidationFailed) as refusal:
        customers.set_overdue_grace_days(
            tenant_id=world.tenant.pk, seller_id=world.seller.pk, days=366
        )
    assert [e.code for e in refusal.value.errors] == ["grace_days_out_of_range"]
    customers.set_overdue_grace_days(tenant_id=world.tenant.pk, seller_id=world.seller.pk, days=0)
    assert CreditPolicy.objects.get(seller=world.seller).overdue_grace_days == 0


def test_near_and_over_the_limit(world):
    api = world.client()
    patch(api, f"/companies/{world.company.pk}/credit", {"credit_limit": "1000"})
    line = CreditLine.objects.filter(company=world.company)

    line.update(order_exposure=Decimal("900"))
    assert (credit_of(world)["status"], credit_of(world)["available"]) == ("near_limit", "100.00")
    line.update(order_exposure=Decimal("1000.01"))
    assert (credit_of(world)["status"], credit_of(world)["available"]) == ("blocked", "-0.01")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"unpaid_amount": "-1"}, "unpaid_amount_negative"),
        ({"unpaid_amount": "10"}, "oldest_unpaid_due_on_required"),
        ({"unpaid_amount": "10", "oldest_unpaid_due_on": None}, "oldest_unpaid_due_on_required"),
        (
            {"unpaid_amount": "0", "oldest_unpaid_due_on": "2026-03-03"},
            "oldest_unpaid_due_on_unexpected",
        ),
        ({"unpaid_amount": "10", "oldest_unpaid_due_on": "2026-02-30"}, "invalid_request"),
        ({"unpaid_amount": "10", "oldest_unpaid_due_on": "3 March"}, "invalid_request"),
        ({"unpaid_amount": 10, "oldest_unpaid_due_on": "2026-03-03"}, "invalid_request"),
        ({"oldest_unpaid_due_on": "2026-03-03"}, "invalid_request"),
    ],
)
def test_inconsistent_receivables_are_refused_and_change_nothing(world, body, code):
    use_sync(world)
    put(
        world.client(),
        f"/companies/{world.company.pk}/receivables",
        {"unpaid_amount": "5", "oldest_unpaid_due_on": "2026-01-31"},
    )
    before = customer_state()

    r = put(world.client(), f"/companies/{world.company.pk}/receivables", body)

    assert r.status_code == 422
    assert r.json()["code"] == code
    assert customer_state() == before


def test_group_exposure_sums_the_parent_and_its_members_in_its_currency(world):
    from dinghuo.pricing.models import PriceList

    api = world.client()
    eur = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code="eur", name="EUR", currency="EUR"
    )

    def member(code, price_list_id):
        body = {"code": code, "name": code, "price_list_id": price_list_id}
        r = api.post("/companies", {**body, "parent_id": world.company.pk})
        return r.json()["id"]

    a = member("M-A", world.price_list.pk)
    member("M-B", world.price_list.pk)  # owes nothing
    c = member("M-C", eur.pk)
    use_sync(world)
    grandchild = api.post(
        "/companies",
        {"code": "M-A1", "name": "A1", "price_list_id": world.price_list.pk, "parent_id": a},
    ).json()["id"]
    put(api, f"/companies/{world.company.pk}/receivables", {"unpaid_amount": "0"})
    CreditLine.objects.filter(company_id=world.company.pk).update(order_exposure=Decimal("100"))
    CreditLine.objects.filter(company_id=a).update(
        order_exposure=Decimal("40"), invoice_exposure=Decimal("2.5")
    )
    CreditLine.objects.filter(company_id=c).update(order_exposure=Decimal("999"))
    CreditLine.objects.filter(company_id=grandchild).update(order_exposure=Decimal("7"))

    parent = credit_of(world)
    assert parent["exposure"] == "100.00"
    assert parent["group_exposure"] == {
        "members": 3,
        "exposure": "142.50",
        "members_in_other_currencies": 1,
    }
    # Only direct members count; a company without members has no group exposure.
    assert credit_of(world, c)["group_exposure"] is None
    assert credit_of(world, a)["group_exposure"] == {
        "members": 1,
        "exposure": "49.50",
        "members_in_other_currencies": 0,
    }


def test_credit_of_another_tenants_company_is_not_found(world, other_world):
    theirs = other_world.company.pk
    before = customer_state()

    assert world.client().get(f"/companies/{theirs}/credit").status_code == 404
    r = patch(world.client(), f"/companies/{theirs}/credit", {"credit_limit": "1"})
    assert r.status_code == 404
    r = put(world.client(), f"/companies/{theirs}/receivables", {"unpaid_amount": "0"})
    assert r.status_code == 404
    assert customer_state() == before


def test_a_read_only_key_cannot_change_credit(world):
    r = patch(
        world.client(world.read_key), f"/companies/{world.company.pk}/credit", {"terms_days": 5}
    )

    assert r.status_code == 403


def test_the_credit_read_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    api = world.client()
    api.post(
        "/companies",
        {
            "code": "M",
            "name": "M",
            "price_list_id": world.price_list.pk,
            "parent_id": world.company.pk,
        },
    )
    # key lookup, company, credit line, seller's policy, group sum
    with django_assert_num_queries(5):
        assert api.get(f"/companies/{world.company.pk}/credit").status_code == 200


def test_companies_made_by_the_service_have_a_line(world):
    r = world.client().post(
        "/companies", {"code": "N", "name": "N", "price_list_id": world.price_list.pk}
    )

    company = Company.objects.get(pk=r.json()["id"])
    assert CreditLine.objects.filter(company=company, tenant=world.tenant).count() == 1


def test_minus_zero_is_zero(world):
    path = f"/companies/{world.company.pk}/credit"
    use_sync(world)

    assert patch(world.client(), path, {"credit_limit": "-0"}).json()["credit_limit"] == "0.00"
    r = put(world.client(), f"/companies/{world.company.pk}/receivables", {"unpaid_amount": "-0"})
    assert r.json()["invoice_exposure"] == "0.00"
