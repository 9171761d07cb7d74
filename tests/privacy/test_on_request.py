"""Personal data on request, by a seller: the staff API (`GET /people/{id}/export`, `POST
/people/{id}/erase`) and the back-office pages (a buyer's and a staff member's). Only this
seller's people and only this seller's data; a person who also belongs to another seller is
refused; the audit log records the erasure without any of their values."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import User

from dinghuo.audit.models import AuditEntry
from dinghuo.backoffice.models import StaffMember
from dinghuo.core.services import create_api_key
from dinghuo.customers.models import CompanyUser
from dinghuo.privacy.services import ERASED_NAME
from tests.api.test_tenant_isolation import tenant_rows
from tests.backoffice.staffing import csrf_post, make_staff, staff_client
from tests.builders import ApiClient, add_buyer

EMAIL = "quillon.zebrasky@buyer.test"


@pytest.fixture
def buyer(world) -> CompanyUser:
    """A buyer of the world's company who placed an order."""
    member, api = add_buyer(world, EMAIL, role="admin")
    placed = api.post(
        "/my/orders",
        {"ship_to_id": world.ship_to.pk, "lines": [{"sku": "A-1", "quantity": 2}]},
        key="o1",
    )
    assert placed.status_code == 201, placed.content
    return member


def owner_key(world, role: str = "owner") -> ApiClient:
    return ApiClient(
        create_api_key(tenant=world.tenant, name=role, scopes={"read", "write"}, role=role).secret
    )


def erase(client: ApiClient, person_id: int, key: str | None = "erase-1"):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.send("POST", f"/people/{person_id}/erase", **headers)


def unzip(content: bytes) -> dict[str, object]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: json.loads(archive.read(name)) for name in archive.namelist()}


# --- the API -------------------------------------------------------------------------------


def test_the_export_is_a_zip_of_what_this_seller_holds_only(world, other_world, buyer):
    # The same person buys from another seller too, and placed an order there.
    elsewhere = CompanyUser.objects.create(
        tenant=other_world.tenant, company=other_world.company, user=buyer.user, role="buyer"
    )
    assert elsewhere.pk

    r = owner_key(world).get(f"/people/{buyer.user_id}/export")

    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert r["Content-Disposition"] == f'attachment; filename="person-{buyer.user_id}.zip"'
    files = unzip(r.content)
    assert files["profile.json"]["email"] == EMAIL
    assert [m["tenant__slug"] for m in files["memberships.json"]["companies"]] == ["acme"]
    assert [o["tenant__slug"] for o in files["orders.json"]] == ["acme"]
    assert all(e["tenant__slug"] == "acme" for e in files["events.json"])


def test_the_person_id_to_export_is_read_from_the_companys_users(world, buyer):
    api = owner_key(world)
    users = api.get(f"/companies/{world.company.pk}/users").json()["items"]
    [person_id] = [u["person_id"] for u in users if u["email"] == EMAIL]

    r = api.get(f"/people/{person_id}/export")

    assert r.status_code == 200 and unzip(r.content)["profile.json"]["email"] == EMAIL


def test_a_person_of_another_tenant_is_not_found(world, other_world):
    stranger, _ = add_buyer(other_world, "ivan@other.test")
    api = owner_key(world)
    before = tenant_rows(other_world.tenant.pk)

    for r in (api.get(f"/people/{stranger.user_id}/export"), erase(api, stranger.user_id)):
        assert r.status_code == 404 and r.json()["code"] == "not_found"

    assert tenant_rows(other_world.tenant.pk) == before
    assert User.objects.get(pk=stranger.user_id).email == "ivan@other.test"


def test_an_erasure_anonymises_them_and_the_audit_log_says_so_without_their_values(world, buyer):
    r = erase(owner_key(world), buyer.user_id)

    assert r.status_code == 200, r.content
    assert r.json()["person_id"] == buyer.user_id and r.json()["fields_rewritten"] > 0
    user = User.objects.get(pk=buyer.user_id)
    assert (user.first_name, user.is_active) == (ERASED_NAME, False)
    assert not User.objects.filter(email=EMAIL).exists()
    entry = AuditEntry.objects.filter(tenant=world.tenant, object_type="auth.user").get()
    assert (entry.object_id, entry.subject_user_id) == (str(buyer.user_id), buyer.user_id)
    assert entry.after == {"erased": True, "fields_rewritten": r.json()["fields_rewritten"]}
    assert "quillon" not in json.dumps([entry.before, entry.after, entry.object_label]).lower()


def test_an_erasure_needs_an_idempotency_key_and_a_retry_is_answered_not_run(world, buyer):
    api = owner_key(world)
    missing = erase(api, buyer.user_id, key=None)
    assert missing.status_code == 422 and missing.json()["code"] == "idempotency_key_required"
    assert User.objects.get(pk=buyer.user_id).email == EMAIL

    first = erase(api, buyer.user_id, key="k")
    again = erase(api, buyer.user_id, key="k")
    later = erase(api, buyer.user_id, key="another")

    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert later.status_code == 409 and later.json()["code"] == "already_erased"
    assert AuditEntry.objects.filter(object_type="auth.user").count() == 1


def test_a_person_who_also_belongs_to_another_seller_is_refused(world, other_world, buyer):
    make_staff(other_world, EMAIL.replace("@", "+x@"))  # someone else there: not concerned
    StaffMember.objects.create(tenant=other_world.tenant, user=buyer.user, role="sales")
    api = owner_key(world)
    before = tenant_rows(world.tenant.pk)

    r = erase(api, buyer.user_id)

    assert r.status_code == 409 and r.json()["code"] == "person_of_other_sellers"
    assert tenant_rows(world.tenant.pk) == before
    assert User.objects.get(pk=buyer.user_id).email == EMAIL


def test_the_last_owner_cannot_be_erased(world):
    olga = make_staff(world, "olga@seller.test")
    r = erase(owner_key(world), olga.user_id)
    assert r.status_code == 409 and r.json()["code"] == "last_owner"
    otto = make_staff(world, "otto@seller.test", role="owner")
    assert otto.pk and erase(owner_key(world), olga.user_id, key="2").status_code == 200


@pytest.mark.parametrize("role", ["manager", "sales", "read_only"])
def test_only_an_owners_key_may(world, buyer, role):
    api = owner_key(world, role)
    for r in (api.get(f"/people/{buyer.user_id}/export"), erase(api, buyer.user_id)):
        assert r.status_code == 403 and r.json()["code"] == "role_forbids"
    assert User.objects.get(pk=buyer.user_id).email == EMAIL


def test_bad_ids_are_refused_before_anything_is_read(world):
    api = owner_key(world)
    for person in ("0", "-1", "abc", str(2**63)):
        assert api.get(f"/people/{person}/export").status_code in (404, 422)
        assert erase(api, person).status_code in (404, 422)  # type: ignore[arg-type]


# --- the pages -----------------------------------------------------------------------------


def buyer_page(world, buyer) -> str:
    return f"/staff/companies/{world.company.pk}/users/{buyer.pk}/"


def test_an_owner_downloads_a_buyers_data_from_their_page(world, buyer):
    olga = staff_client(world, "olga@seller.test")
    html = olga.client.get(buyer_page(world, buyer)).content.decode()
    assert 'data-testid="download-data"' in html and 'data-testid="erase"' in html

    r = olga.client.get(buyer_page(world, buyer) + "data.zip")

    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert unzip(r.content)["profile.json"]["email"] == EMAIL


def test_the_confirmation_page_says_what_goes_and_what_stays(world, buyer):
    olga = staff_client(world, "olga@seller.test")
    html = olga.client.get(buyer_page(world, buyer) + "erase/").content.decode()
    assert EMAIL in html
    assert "Their password, sessions and API keys: they can no longer sign in." in html
    assert "Orders, invoices and the stock ledger keep every amount;" in html


def test_erasing_asks_to_tick_the_box_first(world, buyer):
    olga = staff_client(world, "olga@seller.test")
    before = tenant_rows(world.tenant.pk)

    r = csrf_post(olga.client, buyer_page(world, buyer) + "erase/", {})

    assert r.status_code == 200
    assert 'data-testid="error-confirm">Tick the box to confirm.' in r.content.decode()
    assert tenant_rows(world.tenant.pk) == before

    done = csrf_post(olga.client, buyer_page(world, buyer) + "erase/", {"confirm": "on"})

    assert done.status_code == 302 and done["Location"] == buyer_page(world, buyer)
    assert User.objects.get(pk=buyer.user_id).first_name == ERASED_NAME


def test_a_person_of_another_seller_too_has_no_erase_button(world, other_world, buyer):
    CompanyUser.objects.create(
        tenant=other_world.tenant, company=other_world.company, user=buyer.user, role="buyer"
    )
    olga = staff_client(world, "olga@seller.test")

    page = olga.client.get(buyer_page(world, buyer) + "erase/").content.decode()
    sent = csrf_post(olga.client, buyer_page(world, buyer) + "erase/", {"confirm": "on"})

    assert 'data-testid="elsewhere"' in page and 'data-testid="erase-form"' not in page
    assert "only the platform's operator can erase them" in sent.content.decode()
    assert User.objects.get(pk=buyer.user_id).email == EMAIL


def test_an_owner_erases_a_staff_member_but_not_themselves(world):
    olga = staff_client(world, "olga@seller.test")
    kim = make_staff(world, "kim@seller.test", role="warehouse")
    html = olga.client.get("/staff/people/").content.decode()
    row = html.split('data-testid="staff-kim@seller.test"')[1].split("</tr>")[0]
    assert "/erase/" in row and "data.zip" in row

    mine = csrf_post(olga.client, f"/staff/people/{olga.member.pk}/erase/", {"confirm": "on"})
    theirs = csrf_post(olga.client, f"/staff/people/{kim.pk}/erase/", {"confirm": "on"})

    assert "You cannot erase yourself; ask another owner." in mine.content.decode()
    assert theirs.status_code == 302 and theirs["Location"] == "/staff/people/"
    assert User.objects.get(pk=kim.user_id).first_name == ERASED_NAME
    assert User.objects.get(pk=olga.member.user_id).email == "olga@seller.test"


@pytest.mark.parametrize("role", ["manager", "sales", "read_only"])
def test_other_roles_see_no_links_and_are_refused(world, buyer, role):
    other = staff_client(world, f"{role}@seller.test", role=role)
    page = other.client.get(buyer_page(world, buyer))
    assert page.status_code == 200 and "data.zip" not in page.content.decode()
    for path in (buyer_page(world, buyer) + "data.zip", buyer_page(world, buyer) + "erase/"):
        assert other.client.get(path).status_code == 403
    assert (
        csrf_post(other.client, buyer_page(world, buyer) + "erase/", {"confirm": "on"}).status_code
        == 403
    )
    assert User.objects.get(pk=buyer.user_id).email == EMAIL


def test_another_tenants_people_are_not_found_on_the_pages(world, other_world):
    stranger, _ = add_buyer(other_world, "ivan@other.test")
    their_staff = make_staff(other_world, "ida@other.test")
    olga = staff_client(world, "olga@seller.test")
    for path in (
        f"/staff/companies/{other_world.company.pk}/users/{stranger.pk}/data.zip",
        f"/staff/companies/{world.company.pk}/users/{stranger.pk}/erase/",
        f"/staff/people/{their_staff.pk}/data.zip",
        f"/staff/people/{their_staff.pk}/erase/",
    ):
        assert olga.client.get(path).status_code == 404, path
        assert csrf_post(olga.client, path, {"confirm": "on"}).status_code in (404, 405), path
    assert User.objects.get(pk=stranger.user_id).email == "ivan@other.test"
