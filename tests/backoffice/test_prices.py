"""Price lists and promotions in the back office: what staff see, what they change through the
pricing services, the services' refusals next to the field or tier row they are about,
another tenant's ids answering 404, and the same number of queries however long the lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dinghuo.backoffice import views_price_lists
from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.integrations.models import Event
from dinghuo.pricing import queries as pricing
from dinghuo.pricing.models import PriceList, PriceListAssignment, Promotion
from dinghuo.pricing.services import PromotionTargets, create_promotion
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.portal.ordering import more_skus, second_company

# Session, user, staff member, the page of lists with their counts.
LISTS_QUERIES = 4
# Session, user, staff member, the list, a page of SKUs, their ladders, their names, the list
# again and its assignments, the companies and the groups to offer it to.
LIST_PAGE_QUERIES = 11
# Session, user, staff member, a page of promotions, their categories, SKUs and groups.
PROMOTIONS_QUERIES = 7


def _ladder(world, code: str) -> list[tuple[int, Decimal]]:
    sku = world.skus[code]
    return pricing.ladders(world.price_list.pk, [sku.pk]).get(sku.pk, [])


def _tiers(sku: str, *rows: tuple[str, str], extra: int = 2, **more: str) -> dict[str, str]:
    """A posted ladder editor: the rows given, then `extra` empty ones."""
    data = {"sku": sku, "rows": str(len(rows) + extra), **more}
    for i, (min_quantity, price) in enumerate(rows):
        data[f"min_{i}"] = min_quantity
        data[f"price_{i}"] = price
    return data


def _promotion(world, code: str = "spring", **kw):
    now = timezone.now()
    values = {
        "tenant_id": world.tenant.pk,
        "code": code,
        "name": f"Promotion {code}",
        "kind": "percent",
        "value": Decimal(10),
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=1),
        "targets": PromotionTargets([], [world.skus["A-1"].pk], []),
    }
    values.update(kw)
    return create_promotion(**values)


def _group(world, code: str = "dealers") -> CustomerGroup:
    return CustomerGroup.objects.create(tenant=world.tenant, code=code, name=code.title())


# --- price lists ---------------------------------------------------------------------------


def test_the_lists_show_currency_status_and_how_many_skus_tiers_and_assignments(world):
    staff = staff_client(world)
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=world.price_list, customer_group=_group(world)
    )
    page = texts(staff.client.get("/staff/prices/"))
    assert 'data-testid="list-std"' in page and "Standard" in page and "USD" in page
    assert 'data-testid="skus-std">4<' in page
    assert 'data-testid="tiers-std">6<' in page  # A-1 has three tiers, the others one
    assert 'data-testid="assignments-std">1<' in page
    assert "Active" in page


def test_a_new_list_is_created_and_the_services_refusals_sit_next_to_the_fields(world):
    staff = staff_client(world)
    bad = csrf_post(
        staff.client,
        "/staff/prices/",
        {"new-code": "std", "new-name": "Again", "new-currency": "abc", "new-is_active": "on"},
    )
    page = texts(bad)
    assert bad.status_code == 200
    assert 'data-testid="error-new-currency"' in page
    assert "Not a currency code" in page
    assert PriceList.objects.filter(tenant=world.tenant).count() == 1

    taken = texts(
        csrf_post(
            staff.client,
            "/staff/prices/",
            {"new-code": "std", "new-name": "Again", "new-currency": "usd"},
        )
    )
    assert 'data-testid="error-new-code"' in taken and "already used" in taken

    made = csrf_post(
        staff.client,
        "/staff/prices/",
        {"new-code": "dealer", "new-name": "Dealers", "new-currency": "hkd", "new-is_active": "on"},
    )
    created = PriceList.objects.get(tenant=world.tenant, code="dealer")
    assert made.status_code == 302 and made["Location"] == f"/staff/prices/{created.pk}/"
    assert (created.currency, created.is_active) == ("HKD", True)


def test_a_list_shows_each_skus_ladder_searches_by_sku_and_pages(world, monkeypatch):
    staff = staff_client(world)
    url = f"/staff/prices/{world.price_list.pk}/"
    page = texts(staff.client.get(url))
    for code in ("A-1", "B-2", "C-3", "D-4"):
        assert f'data-testid="price-{code}"' in page
    assert "Item A-1" in page  # the SKU's name in the reader's language
    assert "1+ · 10.00" in page and "100+ · 8.00" in page
    assert "1+ · 0.3333" in page  # C-3: more digits than cents only where the price has them

    searched = texts(staff.client.get(url, {"q": "a-"}))
    assert 'data-testid="price-A-1"' in searched and 'data-testid="price-B-2"' not in searched
    rows_only = staff.client.get(url, {"q": "c-", "fragment": "rows"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="price-C-3"' in texts(rows_only)
    assert "<html" not in texts(rows_only)

    monkeypatch.setattr(views_price_lists, "PRICES_PAGE_SIZE", 3)
    first = texts(staff.client.get(url))
    assert first.count('data-testid="price-') == 3 and 'data-testid="more-prices"' in first
    cursor = world.skus["C-3"].pk
    second = texts(staff.client.get(url, {"after": cursor}))
    assert 'data-testid="price-D-4"' in second and 'data-testid="price-A-1"' not in second


def test_the_ladder_editor_opens_with_the_skus_tiers(world):
    staff = staff_client(world)
    url = f"/staff/prices/{world.price_list.pk}/ladder/"
    fragment = staff.client.get(url, {"sku": "A-1"}, HTTP_HX_REQUEST="true")
    html = texts(fragment)
    assert 'data-testid="ladder-form"' in html and "<html" not in html
    assert 'name="min_2" value="100"' in html and 'name="price_2" value="8.00"' in html
    assert 'name="min_3"' in html and 'name="min_5"' in html  # three empty rows to add tiers
    plain = staff.client.get(url, {"sku": "A-1"})
    assert plain.status_code == 302
    page = texts(staff.client.get(plain["Location"]))
    assert 'data-testid="ladder-form"' in page and 'name="min_2" value="100"' in page


def test_a_ladder_is_replaced_through_the_price_service(world):
    staff = staff_client(world)
    url = f"/staff/prices/{world.price_list.pk}/ladder/"
    saved = csrf_post(
        staff.client, url, _tiers("A-1", ("1", "11.50"), ("", ""), ("50", "9.25")), follow=True
    )
    assert _ladder(world, "A-1") == [(1, Decimal("11.5")), (50, Decimal("9.25"))]
    assert "The tiers of A-1 are saved." in texts(saved)

    by_htmx = csrf_post(staff.client, url, _tiers("C-3", ("1", "0.30")), HTTP_HX_REQUEST="true")
    assert by_htmx.status_code == 204
    assert by_htmx["HX-Redirect"] == f"/staff/prices/{world.price_list.pk}/?q=C-3"
    assert _ladder(world, "C-3") == [(1, Decimal("0.3"))]


def test_a_ladder_the_service_refuses_shows_each_problem_at_its_row_and_changes_nothing(world):
    staff = staff_client(world)
    url = f"/staff/prices/{world.price_list.pk}/ladder/"
    before = _ladder(world, "A-1")
    refused = csrf_post(
        staff.client,
        url,
        _tiers("A-1", ("10", "9.00"), ("", ""), ("5", "-1")),
        HTTP_HX_REQUEST="true",
    )
    html = texts(refused)
    assert refused.status_code == 200 and "<html" not in html
    assert 'data-testid="error-min_2"' in html  # the third row's minimum does not rise
    assert "higher than the row above" in html
    assert 'data-testid="error-price_2"' in html and "cannot be negative" in html
    assert 'data-testid="error-min_0"' not in html
    assert _ladder(world, "A-1") == before

    unknown = texts(csrf_post(staff.client, url, _tiers("ZZ-9", ("1", "1.00"))))
    assert 'data-testid="error-sku"' in unknown and "No such SKU" in unknown

    half = texts(csrf_post(staff.client, url, _tiers("A-1", ("1", "")), HTTP_HX_REQUEST="true"))
    assert 'data-testid="error-price_0"' in half and "Give the unit price" in half
    empty = texts(csrf_post(staff.client, url, _tiers("A-1"), HTTP_HX_REQUEST="true"))
    assert "Give at least one tier" in empty
    assert _ladder(world, "A-1") == before


def test_removing_a_skus_price_takes_it_off_the_list(world):
    staff = staff_client(world)
    url = f"/staff/prices/{world.price_list.pk}/ladder/"
    csrf_post(staff.client, url, _tiers("D-4", remove="1"))
    assert _ladder(world, "D-4") == []
    page = texts(staff.client.get(f"/staff/prices/{world.price_list.pk}/"))
    assert 'data-testid="price-D-4"' not in page


def test_the_settings_change_and_a_currency_change_is_refused_once_the_list_has_prices(world):
    staff = staff_client(world)
    url = f"/staff/prices/{world.price_list.pk}/settings/"
    refused = texts(
        csrf_post(
            staff.client,
            url,
            {"list-code": "std", "list-name": "Standard", "list-currency": "EUR"},
        )
    )
    assert 'data-testid="error-list-currency"' in refused
    assert "make a new list instead" in refused
    world.price_list.refresh_from_db()
    assert (world.price_list.currency, world.price_list.is_active) == ("USD", True)

    saved = csrf_post(
        staff.client,
        url,
        {"list-code": "std", "list-name": "Standard 2026", "list-currency": "usd"},
    )
    assert saved.status_code == 302
    world.price_list.refresh_from_db()
    assert (world.price_list.name, world.price_list.is_active) == ("Standard 2026", False)


def test_a_list_is_offered_to_a_company_or_group_and_taken_back(world):
    staff = staff_client(world)
    other = second_company(world)
    group = _group(world)
    url = f"/staff/prices/{world.price_list.pk}/assignments/"
    csrf_post(staff.client, url, {"assign-target": f"company:{other.pk}", "assign-priority": "5"})
    csrf_post(staff.client, url, {"assign-target": f"group:{group.pk}", "assign-priority": "1"})
    rows = PriceListAssignment.objects.filter(price_list=world.price_list).order_by("-priority")
    assert [(a.company_id, a.customer_group_id, a.priority) for a in rows] == [
        (other.pk, None, 5),
        (None, group.pk, 1),
    ]
    page = texts(staff.client.get(f"/staff/prices/{world.price_list.pk}/"))
    assert page.index("Buyer C002") < page.index("Dealers")

    again = texts(
        csrf_post(staff.client, url, {"assign-target": f"group:{group.pk}", "assign-priority": "9"})
    )
    assert 'data-testid="error-assign-target"' in again and "already offered" in again

    euro = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code="eur", name="Euro", currency="EUR"
    )
    mismatch = texts(
        csrf_post(
            staff.client,
            f"/staff/prices/{euro.pk}/assignments/",
            {"assign-target": f"company:{other.pk}", "assign-priority": "0"},
        )
    )
    assert 'data-testid="error-assign-target"' in mismatch and "another currency" in mismatch
    assert not PriceListAssignment.objects.filter(price_list=euro).exists()

    first = rows[0]
    csrf_post(staff.client, f"/staff/prices/{world.price_list.pk}/assignments/{first.pk}/remove/")
    assert not PriceListAssignment.objects.filter(pk=first.pk).exists()


def test_the_priority_of_an_offer_is_changed_in_its_row(world):
    staff = staff_client(world)
    other = second_company(world)
    group = _group(world)
    offer = PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=world.price_list, company=other, priority=5
    )
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=world.price_list, customer_group=group, priority=1
    )
    url = f"/staff/prices/{world.price_list.pk}/assignments/{offer.pk}/priority/"
    page = texts(staff.client.get(f"/staff/prices/{world.price_list.pk}/"))
    assert f'data-testid="priority-form-{offer.pk}"' in page
    assert page.index("Buyer C002") < page.index("Dealers")

    done = csrf_post(staff.client, url, {"priority": "-3"})
    assert done.status_code == 302 and done["Location"].endswith("#assignments")
    offer.refresh_from_db()
    assert offer.priority == -3
    page = texts(staff.client.get(f"/staff/prices/{world.price_list.pk}/"))
    assert "The priority is changed." in page
    assert page.index("Dealers") < page.index("Buyer C002")  # the group now comes first
    assert Event.objects.filter(type="price_list.assignment_changed").count() == 1

    for bad in ("", "two", "1000001"):
        refused = texts(csrf_post(staff.client, url, {"priority": bad}))
        assert f'data-testid="error-priority-{offer.pk}"' in refused, bad
    offer.refresh_from_db()
    assert offer.priority == -3
    assert Event.objects.filter(type="price_list.assignment_changed").count() == 1


def test_the_list_pages_issue_the_same_queries_for_few_or_many_rows(world):
    staff = staff_client(world)
    staff.client.get("/staff/prices/")  # warm the session
    list_url = f"/staff/prices/{world.price_list.pk}/"
    with CaptureQueriesContext(connection) as few_lists:
        assert staff.client.get("/staff/prices/").status_code == 200
    with CaptureQueriesContext(connection) as few_prices:
        assert staff.client.get(list_url).status_code == 200

    more_skus(world, 30)
    for i in range(10):
        PriceList.objects.create(
            tenant=world.tenant, seller=world.seller, code=f"l{i}", name=f"L{i}", currency="USD"
        )
        company = Company.objects.create(
            tenant=world.tenant, code=f"K{i}", name=f"K{i}", price_list=world.price_list
        )
        PriceListAssignment.objects.create(
            tenant=world.tenant, price_list=world.price_list, company=company, priority=i
        )
    with CaptureQueriesContext(connection) as many_lists:
        lists = texts(staff.client.get("/staff/prices/"))
    with CaptureQueriesContext(connection) as many_prices:
        prices = texts(staff.client.get(list_url))
    assert lists.count('data-testid="list-') == 11
    assert prices.count('data-testid="price-') == 34
    assert prices.count('data-testid="assignment-') == 10
    assert len(few_lists) == len(many_lists) <= LISTS_QUERIES, [q["sql"] for q in many_lists]
    assert len(few_prices) == len(many_prices) <= LIST_PAGE_QUERIES, [q["sql"] for q in many_prices]


# --- promotions ----------------------------------------------------------------------------


def _form(world, **values: object) -> dict[str, object]:
    now = timezone.localtime()
    data: dict[str, object] = {
        "code": "summer",
        "name": "Summer",
        "kind": "percent",
        "value": "15",
        "currency": "",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "skus": "A-1, B-2\nC-3",
    }
    data.update(values)
    return data


def test_a_promotion_is_created_from_sku_codes_categories_and_groups(world):
    staff = staff_client(world)
    group = _group(world)
    category = world.skus["A-1"].product.category
    made = csrf_post(
        staff.client,
        "/staff/promotions/new/",
        _form(world, categories=[category.pk], customer_groups=[group.pk]),
    )
    promotion = Promotion.objects.get(tenant=world.tenant, code="summer")
    assert made.status_code == 302 and made["Location"] == f"/staff/promotions/{promotion.pk}/"
    assert (promotion.kind, promotion.value, promotion.is_active) == ("percent", 15, True)
    assert sorted(promotion.skus.values_list("code", flat=True)) == ["A-1", "B-2", "C-3"]
    assert list(promotion.categories.all()) == [category]
    assert list(promotion.customer_groups.all()) == [group]
    listed = texts(staff.client.get("/staff/promotions/"))
    assert 'data-testid="promotion-summer"' in listed and "15%" in listed
    assert "3 SKUs" in listed and "1 category" in listed and "1 customer group" in listed
    assert 'data-state="running"' in listed


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"value": "120"}, "value", "At most 100 percent"),
        ({"kind": "amount", "value": "2"}, "currency", "needs a currency"),
        ({"currency": "usd"}, "currency", "has no currency"),
        ({"kind": "amount", "value": "2", "currency": "abc"}, "currency", "Not a currency"),
        ({"ends_at": "2020-01-01T00:00"}, "ends_at", "after the start"),
        ({"skus": ""}, "skus", "Choose categories or SKUs"),
        ({"skus": "A-1 NOPE-1"}, "skus", "No such SKU of this seller. (NOPE-1)"),
        ({"value": "abc"}, "value", "Enter a number"),
    ],
)
def test_a_promotion_the_service_refuses_shows_why_next_to_the_field(world, changes, field, words):
    staff = staff_client(world)
    refused = csrf_post(staff.client, "/staff/promotions/new/", _form(world, **changes))
    page = texts(refused)
    assert refused.status_code == 200
    assert f'data-testid="error-{field}"' in page, page
    assert words in page
    assert not Promotion.objects.filter(tenant=world.tenant).exists()


def test_a_taken_code_is_refused_next_to_the_code(world):
    staff = staff_client(world)
    _promotion(world, "summer")
    page = texts(csrf_post(staff.client, "/staff/promotions/new/", _form(world)))
    assert 'data-testid="error-code"' in page and "already used" in page


def test_promotions_are_listed_by_state(world):
    staff = staff_client(world)
    now = timezone.now()
    _promotion(world, "now")
    _promotion(world, "later", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=3))
    _promotion(world, "past", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
    _promotion(world, "off", is_active=False)

    def shown(state: str) -> list[str]:
        page = texts(staff.client.get("/staff/promotions/", {"state": state}))
        return sorted(c for c in ("now", "later", "past", "off") if f'promotion-{c}"' in page)

    assert shown("running") == ["now"]
    assert shown("upcoming") == ["later"]
    assert shown("ended") == ["past"]
    assert shown("inactive") == ["off"]
    assert shown("") == ["later", "now", "off", "past"]
    assert shown("nonsense") == ["later", "now", "off", "past"]


def test_a_promotion_is_changed_and_deactivated(world):
    staff = staff_client(world)
    promotion = _promotion(world)
    url = f"/staff/promotions/{promotion.pk}/"
    page = texts(staff.client.get(url))
    assert 'value="spring"' in page and "A-1" in page and 'data-state="running"' in page
    assert 'name="value" value="10"' in page  # not 1E+1

    data = {
        "name": "Spring sale",
        "value": "12.5",
        "currency": "",
        "starts_at": timezone.localtime(promotion.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(promotion.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "skus": "B-2\nD-4",
        # Disabled fields: a changed code or kind is ignored.
        "code": "hacked",
        "kind": "amount",
    }
    saved = csrf_post(staff.client, url, data)
    assert saved.status_code == 302
    promotion.refresh_from_db()
    assert (promotion.code, promotion.kind, promotion.name) == ("spring", "percent", "Spring sale")
    assert promotion.value == Decimal("12.5")
    assert sorted(promotion.skus.values_list("code", flat=True)) == ["B-2", "D-4"]

    refused = texts(csrf_post(staff.client, url, {**data, "value": "101"}))
    assert 'data-testid="error-value"' in refused
    promotion.refresh_from_db()
    assert promotion.value == Decimal("12.5")

    csrf_post(staff.client, f"{url}deactivate/")
    promotion.refresh_from_db()
    assert promotion.is_active is False
    page = texts(staff.client.get(url))
    assert 'data-state="inactive"' in page and 'data-testid="deactivate"' not in page


def test_the_promotion_list_issues_the_same_queries_for_few_or_many(world):
    staff = staff_client(world)
    _promotion(world, "p0")
    staff.client.get("/staff/promotions/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        staff.client.get("/staff/promotions/")
    group = _group(world)
    for i in range(1, 12):
        _promotion(
            world,
            f"p{i}",
            targets=PromotionTargets(
                [world.skus["A-1"].product.category_id],
                [world.skus["A-1"].pk, world.skus["B-2"].pk],
                [group.pk],
            ),
        )
    with CaptureQueriesContext(connection) as many:
        page = texts(staff.client.get("/staff/promotions/"))
    assert page.count('data-testid="promotion-p') == 12
    assert len(few) == len(many) <= PROMOTIONS_QUERIES, [q["sql"] for q in many]


# --- another tenant's ids ------------------------------------------------------------------


def test_another_tenants_price_lists_and_promotions_are_not_found_nor_changed(world, other_world):
    staff = staff_client(world)
    theirs = other_world.price_list
    group = CustomerGroup.objects.create(tenant=other_world.tenant, code="g", name="G")
    assignment = PriceListAssignment.objects.create(
        tenant=other_world.tenant, price_list=theirs, customer_group=group
    )
    promotion = _promotion(other_world, "theirs")
    for url in (
        f"/staff/prices/{theirs.pk}/",
        f"/staff/prices/{theirs.pk}/ladder/?sku=A-1",
        f"/staff/promotions/{promotion.pk}/",
    ):
        assert staff.client.get(url).status_code == 404, url
    for url, body in (
        (f"/staff/prices/{theirs.pk}/ladder/", _tiers("A-1", ("1", "0.01"))),
        (
            f"/staff/prices/{theirs.pk}/settings/",
            {"list-code": "x", "list-name": "x", "list-currency": "USD"},
        ),
        (f"/staff/prices/{theirs.pk}/assignments/", {"assign-target": f"group:{group.pk}"}),
        (f"/staff/prices/{theirs.pk}/assignments/{assignment.pk}/remove/", {}),
        (f"/staff/prices/{world.price_list.pk}/assignments/{assignment.pk}/remove/", {}),
        (f"/staff/prices/{theirs.pk}/assignments/{assignment.pk}/priority/", {"priority": "7"}),
        (
            f"/staff/prices/{world.price_list.pk}/assignments/{assignment.pk}/priority/",
            {"priority": "7"},
        ),
        (f"/staff/promotions/{promotion.pk}/", _form(world, name="mine now")),
        (f"/staff/promotions/{promotion.pk}/deactivate/", {}),
    ):
        assert csrf_post(staff.client, url, body).status_code == 404, url
    # A group or company of the other tenant cannot be chosen for one's own list.
    mine = texts(
        csrf_post(
            staff.client,
            f"/staff/prices/{world.price_list.pk}/assignments/",
            {"assign-target": f"group:{group.pk}", "assign-priority": "0"},
        )
    )
    assert 'data-testid="error-assign-target"' in mine
    theirs.refresh_from_db()
    promotion.refresh_from_db()
    assert (theirs.code, theirs.name) == ("std", "Standard")
    assert pricing.ladders(theirs.pk, [other_world.skus["A-1"].pk])[other_world.skus["A-1"].pk][0]
    assert (promotion.name, promotion.is_active) == ("Promotion theirs", True)
    assignment.refresh_from_db()
    assert assignment.priority == 0
    assert PriceListAssignment.objects.filter(pk=assignment.pk).exists()
    assert not PriceListAssignment.objects.filter(price_list=world.price_list).exists()
    listed = texts(staff.client.get("/staff/promotions/"))
    assert "promotion-theirs" not in listed


def test_the_pages_need_a_signed_in_staff_member(world, client):
    assert client.get("/staff/prices/").status_code == 302
    assert client.get("/staff/promotions/").status_code == 302
    assert client.post("/staff/promotions/new/", _form(world)).status_code == 302
    assert not Promotion.objects.exists()


def test_a_company_can_be_named_by_its_code_instead_of_chosen(world):
    from dinghuo.pricing.models import PriceList, PriceListAssignment

    staff = staff_client(world)
    extra = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code="vip", name="VIP", currency="USD"
    )
    url = f"/staff/prices/{extra.pk}/assignments/"
    unknown = csrf_post(staff.client, url, {"assign-company_code": "NOPE", "assign-priority": "1"})
    assert b"No such company." in unknown.content
    neither = csrf_post(staff.client, url, {"assign-priority": "1"})
    assert b"Choose a company or a customer group." in neither.content
    assert not PriceListAssignment.objects.filter(price_list=extra).exists()
    csrf_post(staff.client, url, {"assign-company_code": "c001", "assign-priority": "3"})
    offered = PriceListAssignment.objects.get(price_list=extra)
    assert (offered.company_id, offered.priority) == (world.company.pk, 3)
