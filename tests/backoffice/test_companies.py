"""Company pages: the list (search, paging, constant queries) and one company's credit,
users, addresses, group and the prices it gets, as the customers and pricing reads say."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.customers.models import Company, CustomerGroup
from tests.backoffice.staffing import place, staff_client, texts
from tests.builders import add_buyer
from tests.orders.support import set_credit
from tests.portal.ordering import second_company

# Queries of the companies list whatever their number: session, user, staff member, the page
# of companies with price list and parent, their group ids.
COMPANIES_QUERIES = 5


def _listed(page: str) -> list[str]:
    return re.findall(r'data-testid="company-([^"]+)"', page)


def test_the_list_searches_by_code_or_name(world):
    staff = staff_client(world)
    second_company(world, "C002")
    page = texts(staff.client.get("/staff/companies/"))
    assert _listed(page) == ["C002", "C001"]  # by name: "Buyer C002", "Buyer One"
    assert _listed(texts(staff.client.get("/staff/companies/?q=one"))) == ["C001"]
    assert _listed(texts(staff.client.get("/staff/companies/?q=c002"))) == ["C002"]
    fragment = texts(staff.client.get("/staff/companies/?q=c002", HTTP_HX_REQUEST="true"))
    assert _listed(fragment) == ["C002"] and "<html" not in fragment


def test_the_list_pages_in_the_same_queries_for_few_companies_or_many(world):
    staff = staff_client(world)
    staff.client.get("/staff/companies/")
    with CaptureQueriesContext(connection) as few:
        assert staff.client.get("/staff/companies/").status_code == 200
    group = CustomerGroup.objects.create(tenant=world.tenant, code="vip", name="VIP")
    for i in range(12):
        member = second_company(world, f"M{i:02d}")
        member.parent = world.company
        member.save()
        member.groups.add(group)
    with CaptureQueriesContext(connection) as many:
        page = texts(staff.client.get("/staff/companies/"))
    assert len(_listed(page)) == 13
    assert len(few) == len(many) <= COMPANIES_QUERIES, [q["sql"] for q in many]

    import dinghuo.backoffice.views_companies as views

    views.COMPANIES_PAGE_SIZE = 5
    try:
        pages = [texts(staff.client.get(f"/staff/companies/?page={n}")) for n in (1, 2, 3)]
    finally:
        views.COMPANIES_PAGE_SIZE = 50
    assert [len(_listed(p)) for p in pages] == [5, 5, 3]
    assert len({code for p in pages for code in _listed(p)}) == 13


def test_a_company_shows_its_credit_users_addresses_and_group(world):
    staff = staff_client(world)
    set_credit(world, "1000.00", terms_days=45)
    place(world, ("A-1", 10))  # 90.00 on account
    add_buyer(world, "ann@buyer.test", role="approver", spending_limit="500")
    add_buyer(world, "bob@buyer.test")
    group = CustomerGroup.objects.create(tenant=world.tenant, code="vip", name="VIP buyers")
    world.company.groups.add(group)
    head = second_company(world, "H001")
    world.company.parent = head
    world.company.save()

    page = texts(staff.client.get(f"/staff/companies/{world.company.pk}/"))
    assert 'data-testid="credit-limit">$1,000.00<' in page
    assert 'data-testid="exposure">$90.00<' in page
    assert 'data-testid="credit-available">$910.00<' in page
    assert 'data-testid="terms">Net 45 days<' in page
    assert 'data-testid="days-overdue">0<' in page
    assert 'data-status="ok"' in page and "In good standing" in page
    ann = page[page.index('data-testid="user-ann@buyer.test"') :][:700]
    assert "Approver" in ann and "$500.00" in ann
    bob = page[page.index('data-testid="user-bob@buyer.test"') :][:700]
    assert "Buyer" in bob and "No limit" in bob
    assert "Dock 1" in page and "1 Harbour Rd" in page
    assert "VIP buyers" in page
    assert f'href="/staff/companies/{head.pk}/" data-testid="parent">Buyer H001<' in page
    members = texts(staff.client.get(f"/staff/companies/{head.pk}/"))
    assert "Buyer One" in members and "Exposure with its members" in members


def test_the_prices_a_company_gets_are_explained_step_by_step(world):
    staff = staff_client(world)
    url = f"/staff/companies/{world.company.pk}/"
    page = texts(staff.client.get(url, {"sku": "A-1", "quantity": "10"}))
    answer = page[page.index('data-testid="price-answer"') :]
    assert 'data-testid="unit-price">$9.00<' in answer
    assert "10 units cost $90.00" in answer
    assert "Price list std" in answer and "Tier from 10 units" in answer
    steps = re.findall(r"<li>(.*?)</li>", answer[answer.index("price-steps") :], re.S)
    assert steps and any("std" in step for step in steps)

    packs = texts(staff.client.get(url, {"sku": "B-2", "quantity": "7"}))
    assert "Not a whole number of packs." in packs

    fragment = texts(
        staff.client.get(url, {"sku": "A-1", "quantity": "100"}, HTTP_HX_REQUEST="true")
    )
    assert fragment.lstrip().startswith('<div id="price-answer"')
    assert 'data-testid="unit-price">$8.00<' in fragment


def test_an_unknown_sku_or_a_bad_quantity_is_said_next_to_the_field(world, other_world):
    staff = staff_client(world)
    url = f"/staff/companies/{world.company.pk}/"
    unknown = texts(staff.client.get(url, {"sku": "NOPE", "quantity": "1"}))
    assert 'data-testid="error-sku">No such SKU.<' in unknown
    assert 'data-testid="unit-price"' not in unknown
    bad = texts(staff.client.get(url, {"sku": "A-1", "quantity": "0"}))
    assert 'data-testid="error-quantity"' in bad


def test_another_tenants_company_is_not_found(world, other_world):
    staff = staff_client(world)
    theirs = other_world.company.pk
    for url in (
        f"/staff/companies/{theirs}/",
        f"/staff/companies/{theirs}/?sku=A-1&quantity=1",
        f"/staff/companies/{theirs}/order/",
    ):
        assert staff.client.get(url).status_code == 404, url
    assert (
        staff.client.get(
            f"/staff/companies/{theirs}/?sku=A-1&quantity=1", HTTP_HX_REQUEST="true"
        ).status_code
        == 404
    )
    page = texts(staff.client.get("/staff/companies/"))
    assert _listed(page) == ["C001"]
    assert Company.objects.filter(tenant=other_world.tenant).count() == 1
