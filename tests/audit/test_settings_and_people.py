"""The writes recorded since issue 12: warehouses, tenants (status, branding, API limits),
staff, the two-step sign-in rule, and the admin's inline rows and many-to-many members."""

from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

from dinghuo.audit.models import AuditEntry
from dinghuo.backoffice import services as backoffice
from dinghuo.core import actors
from dinghuo.core import services as core
from dinghuo.customers.models import Company, CustomerGroup, Location
from dinghuo.inventory import services as inventory
from dinghuo.two_factor import services as two_factor
from dinghuo.two_factor.models import Requirement
from tests.audit.support import entries_of, only_entry
from tests.backoffice.staffing import make_staff


def test_a_new_warehouse_and_its_change_are_recorded_with_who_did_them(world):
    person = make_staff(world)
    with actors.acting_as(actors.Actor("user", user_id=person.user_id, via="page")):
        made = inventory.create_warehouse(tenant_id=world.tenant.pk, code="east", name="East")
        inventory.update_warehouse(
            tenant_id=world.tenant.pk, warehouse_id=made.pk, priority=7, name="East"
        )

    created, changed = entries_of("inventory.warehouse", made.pk)
    assert (created.action, created.after["code"], created.actor_user_id) == (
        "created",
        "east",
        person.user_id,
    )
    assert (changed.action, changed.before, changed.after) == (
        "changed",
        {"priority": 100},
        {"priority": 7},
    )


def test_suspending_rebranding_and_limiting_a_tenant_are_recorded_under_it(world):
    tenant = world.tenant.pk
    core.set_tenant_status(tenant_id=tenant, status="suspended")
    core.set_tenant_status(tenant_id=tenant, status="suspended")  # no change: no entry
    core.set_branding(
        tenant_id=tenant, display_name="Acme", primary_colour="#123456", accent_colour=""
    )
    core.set_api_limits(tenant_id=tenant, reads_per_minute=60, writes_per_minute=None)
    core.set_api_limits(tenant_id=tenant, reads_per_minute=30, writes_per_minute=None)

    status, brand = [e for e in entries_of("core.tenant", tenant) if e.action == "changed"]
    limits = entries_of("core.tenantapilimits", tenant)
    assert (status.tenant_id, status.before, status.after) == (
        tenant,
        {"status": "active"},
        {"status": "suspended"},
    )
    assert brand.after["display_name"] == "Acme" and brand.after["primary_colour"] == "#123456"
    assert [(e.action, e.after.get("reads_per_minute")) for e in limits] == [
        ("created", 60),
        ("changed", 30),
    ]


def test_staff_roles_and_switching_off_are_recorded_about_the_person(world):
    owner = make_staff(world)
    clerk = make_staff(world, "kim@seller.test", first="Kim", role="read_only")
    with actors.acting_as(actors.Actor("user", user_id=owner.user_id, via="page")):
        backoffice.change_staff_role(
            tenant_id=world.tenant.pk, by_user_id=owner.user_id, member_id=clerk.pk, role="sales"
        )
        backoffice.deactivate_staff_member(
            tenant_id=world.tenant.pk, staff_member_id=clerk.pk, by_user_id=owner.user_id
        )
        for _ in range(2):  # switching on someone already on records nothing more
            backoffice.reactivate_staff_member(
                tenant_id=world.tenant.pk, staff_member_id=clerk.pk, by_user_id=owner.user_id
            )

    role, off, on = entries_of("backoffice.staffmember", clerk.pk)
    assert (role.before, role.after) == ({"role": "read_only"}, {"role": "sales"})
    assert (off.before, off.after) == ({"is_active": True}, {"is_active": False})
    assert (on.before, on.after) == ({"is_active": False}, {"is_active": True})
    assert {role.subject_user_id, off.subject_user_id} == {clerk.user_id}
    assert role.actor_user_id == owner.user_id


def test_an_invited_staff_member_records_the_new_account_the_membership_and_the_invitation(
    world,
):
    member = backoffice.invite_staff_member(
        tenant_id=world.tenant.pk,
        email="new@seller.test",
        name="New",
        invited_by="Sam",
        language="en",
    )

    kinds = set(
        AuditEntry.objects.filter(subject_user_id=member.user_id).values_list(
            "object_type", "action"
        )
    )
    assert kinds == {
        ("auth.user", "created"),
        ("backoffice.staffmember", "created"),
        ("accounts.invitation", "created"),
    }
    invitation = AuditEntry.objects.get(object_type="accounts.invitation")
    assert "token_hash" not in invitation.after


def test_the_two_step_rule_is_recorded_when_it_changes_only(world):
    tenant = world.tenant.pk
    two_factor.set_requirement(tenant_id=tenant, requires=Requirement.STAFF)
    two_factor.set_requirement(tenant_id=tenant, requires=Requirement.STAFF)
    policy = two_factor.set_requirement(tenant_id=tenant, requires=Requirement.EVERYONE)

    found = entries_of("two_factor.signinpolicy", policy.pk)
    assert [(e.action, e.after.get("requires")) for e in found] == [
        ("created", "staff"),
        ("changed", "everyone"),
    ]


def test_the_admin_records_the_rows_of_its_inlines(world):
    user = User.objects.create_superuser("op", "op@deployment.test", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    company = world.company
    address = world.ship_to
    form = {
        "code": company.code,
        "name": company.name,
        "price_list": company.price_list_id,
        "tax_exemption_certificate": "",
        "tax_exemption_expires_on": "",
        "is_active": "on",
        "locations-TOTAL_FORMS": "2",
        "locations-INITIAL_FORMS": "1",
        "locations-0-id": address.pk,
        "locations-0-company": company.pk,
        "locations-0-kind": address.kind,
        "locations-0-name": "Dock 2",
        "locations-0-line1": address.line1,
        "locations-0-city": address.city,
        "locations-0-country": address.country,
        "locations-0-is_active": "on",
        "locations-1-company": company.pk,
        "locations-1-kind": address.kind,
        "locations-1-name": "Annex",
        "locations-1-line1": "2 Side Street",
        "locations-1-city": "Kowloon",
        "locations-1-country": "HK",
        "locations-1-is_active": "on",
        "users-TOTAL_FORMS": "0",
        "users-INITIAL_FORMS": "0",
    }

    r = client.post(f"/admin/customers/company/{company.pk}/change/", form)

    assert r.status_code == 302, r.content.decode()[:3000]
    annex = Location.objects.get(company=company, name="Annex")
    changed = only_entry("customers.location", address.pk)
    created = only_entry("customers.location", annex.pk)
    assert (changed.action, changed.after, changed.via) == ("changed", {"name": "Dock 2"}, "admin")
    assert (created.action, created.after["city"], created.tenant_id) == (
        "created",
        "Kowloon",
        world.tenant.pk,
    )


class _GroupsForm:
    """The part of a company's admin form `save_related` uses: its instance, its fields and
    the saving of its many-to-many fields."""

    def __init__(self, company, groups):
        self.instance = company
        self.fields = {"groups": None}
        self._groups = groups

    def save_m2m(self):
        self.instance.groups.set(self._groups)


def test_the_admin_records_the_members_of_many_to_many_fields(world, rf):
    group = CustomerGroup.objects.create(tenant=world.tenant, code="vip", name="VIP")
    company_admin = admin.site._registry[Company]

    company_admin.save_related(rf.post("/"), _GroupsForm(world.company, [group]), [], True)
    company_admin.save_related(rf.post("/"), _GroupsForm(world.company, [group]), [], True)

    entry = only_entry("customers.company", world.company.pk)
    assert (entry.before, entry.after) == ({"groups": []}, {"groups": [group.pk]})
