"""The People page: changing a staff member's role (only the roles the signed-in person may
give are offered and taken; the last owner stays one) and switching staff off and on (never
someone whose role may do more than one's own)."""

import re

from dinghuo.backoffice.models import StaffMember
from tests.backoffice.staffing import csrf_post, make_staff, staff_client


def roles(world) -> dict[str, str]:
    return dict(StaffMember.objects.filter(tenant=world.tenant).values_list("user__email", "role"))


def offered(html: str, member: StaffMember) -> list[str]:
    """The roles the People page offers for `member` (empty: no role form)."""
    found = re.search(rf'<select name="role" id="role-{member.pk}">(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([a-z_]+)"', found.group(1)) if found else []


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_an_owner_makes_a_clerk_a_manager_on_the_people_page(world):
    olga = staff_client(world, "olga@seller.test")
    kim = make_staff(world, "kim@seller.test", role="warehouse")

    r = csrf_post(olga.client, f"/staff/people/{kim.pk}/role/", {"role": "manager"})

    assert r.status_code == 302 and r["Location"] == "/staff/people/"
    page = olga.client.get("/staff/people/")
    assert "The role is changed." in said(page)
    assert roles(world)["kim@seller.test"] == "manager"


def test_an_owner_is_offered_every_role_and_a_manager_none_above_their_own(world):
    olga = staff_client(world, "olga@seller.test")
    mia = staff_client(world, "mia@seller.test", role="manager")
    kim = make_staff(world, "kim@seller.test", role="warehouse")

    by_owner = olga.client.get("/staff/people/").content.decode()
    by_manager = mia.client.get("/staff/people/").content.decode()

    every = ["owner", "manager", "sales", "warehouse", "finance", "read_only"]
    assert offered(by_owner, kim) == every
    assert offered(by_manager, kim) == every[1:]
    # The owner's row: a manager may not change it at all, so no form and no switch.
    assert offered(by_manager, olga.member) == []
    row = by_manager.split('data-testid="staff-olga@seller.test"')[1].split("</tr>")[0]
    assert "deactivate" not in row and "Owner" in row


def test_a_manager_sending_owner_anyway_is_refused_and_nothing_changes(world):
    make_staff(world, "olga@seller.test")
    mia = staff_client(world, "mia@seller.test", role="manager")
    kim = make_staff(world, "kim@seller.test", role="warehouse")
    before = roles(world)

    r = csrf_post(mia.client, f"/staff/people/{kim.pk}/role/", {"role": "owner"}, follow=True)

    assert "Choose one of the roles offered." in said(r)
    assert roles(world) == before


def test_the_last_owner_cannot_be_made_a_manager(world):
    olga = staff_client(world, "olga@seller.test")

    r = csrf_post(
        olga.client, f"/staff/people/{olga.member.pk}/role/", {"role": "manager"}, follow=True
    )

    assert "The last owner stays an owner: make someone else owner first." in said(r)
    assert roles(world) == {"olga@seller.test": "owner"}


def test_bad_role_input_and_another_tenants_staff_change_nothing(world, other_world):
    olga = staff_client(world, "olga@seller.test")
    kim = make_staff(world, "kim@seller.test", role="warehouse")
    stranger = make_staff(other_world, "ivan@other.test", role="sales")

    for value in ("", "admin", "owner\x00"):
        r = csrf_post(olga.client, f"/staff/people/{kim.pk}/role/", {"role": value})
        assert r.status_code in (302, 400)
    assert (
        csrf_post(olga.client, f"/staff/people/{stranger.pk}/role/", {"role": "owner"}).status_code
        == 404
    )
    assert roles(world)["kim@seller.test"] == "warehouse"
    assert StaffMember.objects.get(pk=stranger.pk).role == "sales"


def test_roles_without_staff_manage_cannot_change_roles(world):
    make_staff(world, "olga@seller.test")
    sal = staff_client(world, "sal@seller.test", role="sales")
    kim = make_staff(world, "kim@seller.test", role="warehouse")

    r = csrf_post(sal.client, f"/staff/people/{kim.pk}/role/", {"role": "sales"})

    assert r.status_code == 403
    assert roles(world)["kim@seller.test"] == "warehouse"


def test_a_switched_off_member_is_switched_on_again_with_their_role(world):
    olga = staff_client(world, "olga@seller.test")
    kim = make_staff(world, "kim@seller.test", role="warehouse")
    csrf_post(olga.client, f"/staff/people/{kim.pk}/deactivate/")
    html = olga.client.get("/staff/people/").content.decode()
    assert 'data-testid="reactivate"' in html

    r = csrf_post(olga.client, f"/staff/people/{kim.pk}/reactivate/", follow=True)

    assert "They can use the back office again." in said(r)
    kim.refresh_from_db()
    assert kim.is_active and kim.role == "warehouse"


def test_a_manager_cannot_switch_an_owner_off_nor_on(world):
    olga = make_staff(world, "olga@seller.test")
    otto = make_staff(world, "otto@seller.test")
    StaffMember.objects.filter(pk=otto.pk).update(is_active=False)
    mia = staff_client(world, "mia@seller.test", role="manager")

    off = csrf_post(mia.client, f"/staff/people/{olga.pk}/deactivate/", follow=True)
    on = csrf_post(mia.client, f"/staff/people/{otto.pk}/reactivate/", follow=True)

    refusal = "You cannot give a role that may do more than yours, nor change such a person."
    assert refusal in said(off) and refusal in said(on)
    assert list(
        StaffMember.objects.filter(role="owner").values_list("is_active", flat=True).order_by("pk")
    ) == [True, False]
