"""Stock pages: levels per warehouse (search, low stock, paging), one SKU's levels and ledger,
and receive / adjust / transfer through the stock services, refusals next to their fields."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.catalog.models import Sku
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel, StockMovement
from tests.backoffice.staffing import csrf_post, place, staff_client, texts
from tests.invariants import assert_stock_consistent
from tests.portal.ordering import more_skus

# Queries of the stock list whatever the number of levels: session, user, staff member, the
# page of levels with SKU and warehouse, the SKUs' names.
STOCK_QUERIES = 5
# Queries of a SKU's page whatever the length of its ledger: session, user, staff member,
# the SKU, its levels, the page of movements, the warehouses for the forms, its name.
SKU_PAGE_QUERIES = 8


def _level(world, sku: str, warehouse: str = "main") -> StockLevel:
    return StockLevel.objects.get(sku=world.skus[sku], warehouse__code=warehouse)


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="level-([^"]+)"', page)


def test_the_stock_list_shows_each_level_with_on_hand_reserved_and_available(world):
    staff = staff_client(world)
    place(world, ("A-1", 4))
    page = texts(staff.client.get("/staff/stock/"))
    assert _rows(page) == ["A-1-main", "B-2-main", "C-3-main"]
    assert 'data-testid="available-A-1-main">96<' in page
    row = page[page.index('data-testid="level-A-1-main"') :]
    assert ">100<" in row[:800] and ">4<" in row[:800]
    assert "Item A-1" in page  # the SKU's name in the reader's language


def test_the_stock_list_searches_by_code_or_name_and_filters_low_stock(world):
    staff = staff_client(world)
    stock.adjust_stock(
        tenant_id=world.tenant.pk,
        warehouse_code="main",
        sku_id=world.skus["B-2"].pk,
        delta=-95,
        reason="count",
    )
    assert _rows(texts(staff.client.get("/staff/stock/?q=c-3"))) == ["C-3-main"]
    assert _rows(texts(staff.client.get("/staff/stock/?q=Item%20B"))) == ["B-2-main"]
    world.skus["A-1"].name_zh_hant = "扳手"
    world.skus["A-1"].save()
    assert _rows(texts(staff.client.get("/staff/stock/?q=扳手"))) == ["A-1-main"]
    assert _rows(texts(staff.client.get("/staff/stock/?low=1"))) == ["B-2-main"]
    assert 'data-testid="no-stock"' in texts(staff.client.get("/staff/stock/?q=nothing"))
    fragment = staff.client.get("/staff/stock/?q=c-3", HTTP_HX_REQUEST="true")
    assert _rows(texts(fragment)) == ["C-3-main"] and "<html" not in texts(fragment)


def test_the_stock_list_pages_in_the_same_queries_for_few_levels_or_many(world):
    staff = staff_client(world)
    staff.client.get("/staff/stock/")
    with CaptureQueriesContext(connection) as few:
        assert staff.client.get("/staff/stock/").status_code == 200
    more_skus(world, 12)
    for i in range(12):
        sku_id = Sku.objects.get(tenant=world.tenant, code=f"X-{i}").pk
        for warehouse in ("main", "north"):
            stock.receive_stock(
                tenant_id=world.tenant.pk,
                warehouse_code=warehouse,
                sku_id=sku_id,
                quantity=3,
                reason="in",
            )
    with CaptureQueriesContext(connection) as many:
        page = texts(staff.client.get("/staff/stock/"))
    assert len(_rows(page)) == 27
    assert len(few) == len(many) <= STOCK_QUERIES, [q["sql"] for q in many]

    import dinghuo.backoffice.views_stock as views

    views.STOCK_PAGE_SIZE = 10
    try:
        first = texts(staff.client.get("/staff/stock/"))
        second = texts(staff.client.get("/staff/stock/?page=2"))
        third = texts(staff.client.get("/staff/stock/?page=3"))
    finally:
        views.STOCK_PAGE_SIZE = 50
    assert len(_rows(first)) == len(_rows(second)) == 10 and len(_rows(third)) == 7
    assert 'data-testid="next"' in first and 'data-testid="next"' not in third
    assert not set(_rows(first)) & set(_rows(second))


def test_a_skus_page_shows_its_levels_and_its_ledger_newest_first(world):
    staff = staff_client(world)
    a1 = world.skus["A-1"]
    place(world, ("A-1", 4))
    page = texts(staff.client.get(f"/staff/stock/{a1.pk}/"))
    assert 'data-testid="on-hand-main">100<' in page
    assert 'data-testid="available-main">96<' in page
    movements = re.findall(r'data-testid="movement">(.*?)</tr>', page, re.S)
    assert len(movements) == 2
    assert "Reserved for an order" in movements[0] and "Receipt" in movements[1]
    assert "opening" in movements[1]


def test_the_ledger_pages_in_the_same_queries_for_a_short_or_long_history(world):
    staff = staff_client(world)
    a1 = world.skus["A-1"]
    url = f"/staff/stock/{a1.pk}/"
    staff.client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert staff.client.get(url).status_code == 200
    for i in range(14):
        stock.receive_stock(
            tenant_id=world.tenant.pk,
            warehouse_code="north",
            sku_id=a1.pk,
            quantity=1,
            reason=f"delivery {i}",
        )
    with CaptureQueriesContext(connection) as many:
        page = texts(staff.client.get(url))
    assert page.count('data-testid="movement"') == 15
    assert len(few) == len(many) <= SKU_PAGE_QUERIES, [q["sql"] for q in many]

    import dinghuo.backoffice.views_stock as views

    views.LEDGER_PAGE_SIZE = 10
    try:
        first = texts(staff.client.get(url))
        cursor = re.search(r'href="\?before=(\d+)"', first)
        assert cursor is not None
        older = texts(staff.client.get(f"{url}?before={cursor.group(1)}"))
    finally:
        views.LEDGER_PAGE_SIZE = 50
    assert first.count('data-testid="movement"') == 10
    assert older.count('data-testid="movement"') == 5
    assert "delivery 13" in first and "opening" in older and "delivery 13" not in older


def test_receiving_adds_to_on_hand_with_a_ledger_row(world):
    staff = staff_client(world)
    c3 = world.skus["C-3"]
    response = csrf_post(
        staff.client,
        f"/staff/stock/{c3.pk}/receive/",
        {"receive-warehouse": "north", "receive-quantity": "40", "receive-reason": "PO 991"},
        follow=True,
    )
    assert "Received 40 units." in texts(response)
    assert _level(world, "C-3", "north").on_hand == 40
    row = StockMovement.objects.filter(sku=c3).latest("id")
    assert (row.kind, row.on_hand_delta, row.reason) == ("receipt", 40, "PO 991")
    assert_stock_consistent(world.tenant.pk)


def test_an_adjustment_without_a_reason_is_refused_next_to_the_reason(world):
    staff = staff_client(world)
    a1 = world.skus["A-1"]
    response = csrf_post(
        staff.client,
        f"/staff/stock/{a1.pk}/adjust/",
        {"adjust-warehouse": "main", "adjust-delta": "-3", "adjust-reason": "  "},
    )
    assert response.status_code == 200
    page = texts(response)
    assert 'data-testid="error-adjust-reason">Say why the stock is adjusted.<' in page
    assert 'value="-3"' in page  # what was typed stays
    assert _level(world, "A-1").on_hand == 100

    zero = texts(
        csrf_post(
            staff.client,
            f"/staff/stock/{a1.pk}/adjust/",
            {"adjust-warehouse": "main", "adjust-delta": "0", "adjust-reason": "count"},
        )
    )
    assert 'data-testid="error-adjust-delta">Adjust by a number of units other than zero.' in zero

    done = csrf_post(
        staff.client,
        f"/staff/stock/{a1.pk}/adjust/",
        {"adjust-warehouse": "main", "adjust-delta": "-3", "adjust-reason": "damaged"},
    )
    assert done.status_code == 302
    assert _level(world, "A-1").on_hand == 97
    assert StockMovement.objects.filter(sku=a1).latest("id").reason == "damaged"


def test_an_adjustment_below_the_reserved_units_is_refused_next_to_the_change(world):
    staff = staff_client(world)
    a1 = world.skus["A-1"]
    place(world, ("A-1", 95))
    page = texts(
        csrf_post(
            staff.client,
            f"/staff/stock/{a1.pk}/adjust/",
            {"adjust-warehouse": "main", "adjust-delta": "-6", "adjust-reason": "lost"},
        )
    )
    assert "error-adjust-delta" in page and "below the units reserved" in page
    assert _level(world, "A-1").on_hand == 100


def test_a_transfer_moves_stock_and_more_than_available_is_refused_next_to_the_quantity(world):
    staff = staff_client(world)
    a1 = world.skus["A-1"]
    place(world, ("A-1", 90))
    url = f"/staff/stock/{a1.pk}/transfer/"
    body = {
        "transfer-from_warehouse": "main",
        "transfer-to_warehouse": "north",
        "transfer-reason": "rebalance",
    }
    refused = texts(csrf_post(staff.client, url, {**body, "transfer-quantity": "11"}))
    assert (
        'data-testid="error-transfer-quantity">Only 10 available to move (the rest is reserved).'
        in refused
    )
    assert _level(world, "A-1").on_hand == 100
    same = texts(
        csrf_post(
            staff.client,
            url,
            {**body, "transfer-to_warehouse": "main", "transfer-quantity": "1"},
        )
    )
    assert 'data-testid="error-transfer-to_warehouse">Choose another warehouse' in same

    done = csrf_post(staff.client, url, {**body, "transfer-quantity": "10"}, follow=True)
    assert "Moved 10 units from main to north." in texts(done)
    assert (_level(world, "A-1").on_hand, _level(world, "A-1", "north").on_hand) == (90, 10)
    assert_stock_consistent(world.tenant.pk)


def test_a_form_with_bad_numbers_is_refused_by_the_form_itself(world):
    staff = staff_client(world)
    page = texts(
        csrf_post(
            staff.client,
            f"/staff/stock/{world.skus['A-1'].pk}/receive/",
            {"receive-warehouse": "nowhere", "receive-quantity": "lots"},
        )
    )
    assert "error-receive-warehouse" in page and "error-receive-quantity" in page
    assert StockMovement.objects.filter(kind="receipt").count() == 3  # the opening stock only


@pytest.mark.parametrize("action", ["receive", "adjust", "transfer"])
def test_another_tenants_sku_is_not_found_and_not_changed(world, other_world, action):
    staff = staff_client(world)
    theirs = other_world.skus["A-1"]
    assert staff.client.get(f"/staff/stock/{theirs.pk}/").status_code == 404
    body = {
        f"{action}-warehouse": "main",
        f"{action}-quantity": "1",
        f"{action}-delta": "1",
        f"{action}-reason": "guess",
        f"{action}-from_warehouse": "main",
        f"{action}-to_warehouse": "north",
    }
    response = csrf_post(staff.client, f"/staff/stock/{theirs.pk}/{action}/", body)
    assert response.status_code == 404
    assert StockLevel.objects.get(sku=theirs, warehouse__code="main").on_hand == 100
    assert not StockLevel.objects.filter(sku=theirs, warehouse__code="north").exists()
    mine = texts(staff.client.get("/staff/stock/?q=A-1"))
    assert _rows(mine) == ["A-1-main"]  # one level: the other tenant's is not listed
