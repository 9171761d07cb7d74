"""Companies in the back office: a company created and changed, its addresses, users and
credit line, through the customers services the API uses (the same events on the company);
each refused input is a form error and changes nothing."""

from decimal import Decimal
from typing import Any

from dinghuo.accounts import services as accounts
from dinghuo.accounts.models import Invitation
from dinghuo.customers.models import Company, CompanyUser, CreditLine, Location
from dinghuo.integrations.models import Event
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.builders import add_buyer


def _state() -> dict[str, Any]:
    """Every customer row and every event: equal before and after means unchanged."""
    return {
        "companies": list(Company.objects.order_by("id").values()),
        "locations": list(Location.objects.order_by("id").values()),
        "users": list(CompanyUser.objects.order_by("id").values()),
        "credit": list(CreditLine.objects.order_by("id").values()),
        "events": list(Event.objects.order_by("id").values_list("id", flat=True)),
    }


def _events(type: str) -> list[Event]:
    return list(Event.objects.filter(type=type).order_by("id"))


def test_a_company_is_created_with_the_apis_event_and_a_default_credit_line(world):
    staff = staff_client(world)
    response = csrf_post(
        staff.client,
        "/staff/companies/new/",
        {
            "code": "C777",
            "name": "Harbour Trading",
            "price_list": str(world.price_list.pk),
            "parent_code": "c001",  # any case
        },
    )
    created = Company.objects.get(tenant=world.tenant, code="C777")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/companies/{created.pk}/"
    assert (created.name, created.parent_id, created.is_active) == (
        "Harbour Trading",
        world.company.pk,
        True,
    )
    line = CreditLine.objects.get(company=created)
    assert (line.credit_limit, line.terms, line.terms_days) == (None, "net", 30)
    (event,) = _events("company.created")
    assert event.aggregate_type == "company" and event.aggregate_id == created.pk
    assert event.payload["parent"] == "C001" and event.payload["groups"] == []


def test_a_taken_code_or_an_unknown_head_company_is_refused_and_changes_nothing(world):
    staff = staff_client(world)
    before = _state()
    base = {"name": "Harbour", "price_list": str(world.price_list.pk)}
    taken = csrf_post(staff.client, "/staff/companies/new/", {**base, "code": "C001"})
    unknown = csrf_post(
        staff.client, "/staff/companies/new/", {**base, "code": "C778", "parent_code": "NOPE"}
    )
    assert 'data-testid="error-code">Another company has this code.<' in texts(taken)
    assert 'data-testid="error-parent_code">No such company.<' in texts(unknown)
    assert _state() == before


def test_a_company_is_renamed_and_stopped_from_ordering(world):
    staff = staff_client(world)
    path = f"/staff/companies/{world.company.pk}/edit/"
    assert 'value="C001"' in texts(staff.client.get(path))
    response = csrf_post(
        staff.client,
        path,
        {"code": "C001", "name": "Buyer One Ltd", "price_list": str(world.price_list.pk)},
    )
    assert response.status_code == 302
    world.company.refresh_from_db()
    assert (world.company.name, world.company.is_active) == ("Buyer One Ltd", False)
    assert _events("company.updated")[0].payload["changed"] == ["name"]
    assert len(_events("company.deactivated")) == 1


def test_a_company_cannot_be_put_below_itself(world):
    staff = staff_client(world)
    before = _state()
    response = csrf_post(
        staff.client,
        f"/staff/companies/{world.company.pk}/edit/",
        {
            "code": "C001",
            "name": "Buyer One",
            "price_list": str(world.price_list.pk),
            "parent_code": "C001",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and 'data-testid="error-parent_code"' in texts(response)
    assert _state() == before


def _address(**changes: str) -> dict[str, str]:
    return {
        "kind": "ship_to",
        "name": "Kwun Tong store",
        "line1": "1 Hoi Bun Road",
        "city": "Hong Kong",
        "country": "HK",
        **changes,
    }


def test_an_address_is_added_and_changed_with_the_apis_events(world):
    staff = staff_client(world)
    company = world.company
    added = csrf_post(staff.client, f"/staff/companies/{company.pk}/addresses/new/", _address())
    assert added.status_code == 302
    store = Location.objects.get(company=company, name="Kwun Tong store")
    assert (store.kind, store.country, store.is_active) == ("ship_to", "HK", True)
    assert _events("location.created")[0].payload["name"] == "Kwun Tong store"
    changed = csrf_post(
        staff.client,
        f"/staff/companies/{company.pk}/addresses/{store.pk}/",
        _address(city="Kowloon"),  # "in use" unticked
    )
    assert changed.status_code == 302
    store.refresh_from_db()
    assert (store.city, store.is_active) == ("Kowloon", False)
    assert _events("location.updated")[0].payload["changed"] == ["city", "is_active"]
    page = texts(staff.client.get(f"/staff/companies/{company.pk}/"))
    assert "Kwun Tong store" in page and "Kowloon" in page


def test_an_address_without_a_country_changes_nothing(world):
    staff = staff_client(world)
    before = _state()
    response = csrf_post(
        staff.client,
        f"/staff/companies/{world.company.pk}/addresses/new/",
        _address(country="XX"),
    )
    assert 'data-testid="error-country"' in texts(response)
    assert _state() == before


def test_an_address_of_another_company_is_not_found(world):
    staff = staff_client(world)
    other = Company.objects.create(
        tenant=world.tenant, code="C2", name="Other", price_list=world.price_list
    )
    path = f"/staff/companies/{other.pk}/addresses/{world.ship_to.pk}/"
    assert staff.client.get(path).status_code == 404


def test_a_user_is_added_and_a_second_membership_is_refused(world):
    staff = staff_client(world)
    company = world.company
    path = f"/staff/companies/{company.pk}/users/new/"
    body = {"email": "Mei@Buyer.test", "name": "Mei", "role": "approver", "spending_limit": "500"}
    assert csrf_post(staff.client, path, body).status_code == 302
    member = CompanyUser.objects.get(company=company, user__email="mei@buyer.test")
    assert (member.role, member.spending_limit, member.user.has_usable_password()) == (
        "approver",
        Decimal("500"),
        False,
    )
    assert _events("company_user.created")[0].payload["role"] == "approver"

    before = _state()
    again = csrf_post(staff.client, path, {**body, "email": "mei@buyer.test"})
    assert "This person is already a user of the company." in texts(again)
    assert _state() == before


def test_a_user_is_changed_but_the_last_admin_stays_one(world):
    staff = staff_client(world)
    admin, _ = add_buyer(world, "ada@buyer.test", role="admin")
    path = f"/staff/companies/{world.company.pk}/users/{admin.pk}/"
    before = _state()
    refused = csrf_post(
        staff.client,
        path,
        {"name": "Ada", "role": "buyer", "spending_limit": "", "is_active": "on"},
    )
    assert 'data-testid="form-errors"' in texts(refused)
    assert _state() == before
    changed = csrf_post(
        staff.client,
        path,
        {"name": "Ada Lau", "role": "admin", "spending_limit": "250.50", "is_active": "on"},
    )
    assert changed.status_code == 302
    admin.refresh_from_db()
    admin.user.refresh_from_db()
    assert (admin.user.first_name, admin.spending_limit) == ("Ada Lau", Decimal("250.50"))
    assert _events("company_user.updated")[0].payload["changed"] == ["spending_limit", "name"]


def test_credit_is_changed_with_a_reason_kept_in_its_event(world):
    staff = staff_client(world)
    path = f"/staff/companies/{world.company.pk}/credit/"
    assert 'name="reason"' in texts(staff.client.get(path))
    response = csrf_post(
        staff.client,
        path,
        {
            "credit_limit": "5000",
            "terms": "eom",
            "terms_days": "15",
            "deposit_percent": "10",
            "reason": "Two years of paying on time",
        },
    )
    assert response.status_code == 302
    line = CreditLine.objects.get(company=world.company)
    assert (line.credit_limit, line.terms, line.terms_days, line.deposit_percent) == (
        Decimal("5000"),
        "eom",
        15,
        10,
    )
    (event,) = _events("company.credit_changed")
    assert event.payload["reason"] == "Two years of paying on time"
    assert event.payload["credit_limit"] == "5000.00"


def test_credit_without_a_reason_or_prepaid_with_days_changes_nothing(world):
    staff = staff_client(world)
    path = f"/staff/companies/{world.company.pk}/credit/"
    before = _state()
    body = {"credit_limit": "", "terms": "prepaid", "terms_days": "30", "deposit_percent": "0"}
    no_reason = csrf_post(staff.client, path, body)
    with_days = csrf_post(staff.client, path, {**body, "reason": "Late twice"})
    assert 'data-testid="error-reason"' in texts(no_reason)
    assert 'data-testid="error-terms_days">Prepaid terms take no days: enter 0.<' in texts(
        with_days
    )
    assert _state() == before


def _open_invitations(member: CompanyUser) -> list[Invitation]:
    return list(
        Invitation.objects.filter(user=member.user, accepted_at=None, revoked_at=None).order_by(
            "id"
        )
    )


def test_a_users_invitation_is_sent_again_and_withdrawn_from_their_page(world):
    staff = staff_client(world)
    company = world.company
    new = f"/staff/companies/{company.pk}/users/new/"
    body = {"email": "kit@buyer.test", "name": "Kit", "role": "buyer", "spending_limit": ""}
    assert csrf_post(staff.client, new, body).status_code == 302
    member = CompanyUser.objects.get(company=company, user__email="kit@buyer.test")
    page = f"/staff/companies/{company.pk}/users/{member.pk}/"
    assert "Invited; the mail is on its way." in texts(staff.client.get(page))
    [invitation] = _open_invitations(member)
    accounts.mint_link(invitation.pk)  # the worker made the mail
    shown = texts(staff.client.get(page))
    assert "the link works until" in shown and 'data-testid="withdraw-invitation"' in shown

    assert csrf_post(staff.client, f"{page}invitation/resend/").status_code == 302
    [again] = _open_invitations(member)
    assert again.mail_wanted_at is not None  # the worker makes a new link and mail

    assert csrf_post(staff.client, f"{page}invitation/withdraw/").status_code == 302
    assert _open_invitations(member) == []
    shown = texts(staff.client.get(page))
    assert "No invitation is waiting" in shown
    assert 'data-testid="withdraw-invitation"' not in shown

    before = _state()
    twice = csrf_post(staff.client, f"{page}invitation/withdraw/", follow=True)
    assert "This invitation is no longer waiting." in texts(twice)
    assert _state() == before


def test_a_joined_users_page_offers_no_invitation_and_a_clerk_may_not_send_one(world):
    member, _ = add_buyer(world, "joined@buyer.test")
    member.user.set_password("a long pass phrase")
    member.user.save()
    page = f"/staff/companies/{world.company.pk}/users/{member.pk}/"
    owner = staff_client(world)
    assert 'data-testid="invitation"' not in texts(owner.client.get(page))
    assert csrf_post(owner.client, f"{page}invitation/resend/").status_code == 302
    assert _open_invitations(member) == []  # refused: already joined

    clerk = staff_client(world, "wendy@seller.test", role="warehouse")
    assert csrf_post(clerk.client, f"{page}invitation/resend/").status_code == 403
