"""Every master-data write records who made it (person, API key, import), what it changed
(the fields before and after), when and from where."""

import json
from datetime import UTC
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dinghuo.audit.models import AuditEntry
from dinghuo.core import actors
from dinghuo.customers import services as customers
from dinghuo.integrations import services as webhooks
from dinghuo.pricing import services as pricing
from tests.audit.support import entries_of, only_entry, prefix_of


def test_an_api_write_names_the_key_its_address_and_the_fields_before_and_after(world):
    product = world.skus["A-1"].product
    api = world.client()

    r = api.client.patch(
        f"/api/v1/products/{product.pk}",
        json.dumps({"name": {"en": "Hammer"}}),
        content_type="application/json",
        headers=api.headers,
        REMOTE_ADDR="203.0.113.9",
    )

    assert r.status_code == 200
    entry = only_entry("catalog.product", product.pk)
    assert (entry.tenant_id, entry.action) == (world.tenant.pk, "changed")
    assert (entry.actor_kind, entry.actor_key, entry.actor_user_id) == (
        "api_key",
        prefix_of(world.key),
        None,
    )
    assert (entry.via, entry.client_address) == ("api", "203.0.113.9")
    assert entry.before == {
        "name": "Product A-1",
        "name_en": "Product A-1",
        "updated_at": entry.before["updated_at"],
    }
    assert entry.after["name_en"] == "Hammer"
    assert set(entry.after) == {"name", "name_en", "updated_at"}


def test_a_change_that_changes_nothing_records_nothing(world):
    product = world.skus["A-1"].product

    world.client().send(
        "PATCH", f"/products/{product.pk}", json.dumps({"name": {"en": "Product A-1"}})
    )

    assert entries_of("catalog.product", product.pk) == []


def test_a_refused_write_records_nothing(world):
    product = world.skus["A-1"].product
    other = world.skus["B-2"].product
    recorded = AuditEntry.objects.count()

    r = world.client().send("PATCH", f"/products/{product.pk}", json.dumps({"code": other.code}))

    assert r.status_code == 409
    assert AuditEntry.objects.count() == recorded


def test_creating_a_sku_and_a_category_records_every_field(world):
    api = world.client()
    product = world.skus["A-1"].product

    sku = api.post("/skus", {"product_id": product.pk, "code": "A-9", "pack_size": 3}).json()
    category = api.post("/categories", {"code": "saws", "name": {"en": "Saws"}}).json()

    entry = only_entry("catalog.sku", sku["id"])
    assert (entry.action, entry.before, entry.object_label) == ("created", {}, "A-9")
    assert entry.after["pack_size"] == 3 and entry.after["product_id"] == product.pk
    assert only_entry("catalog.category", category["id"]).after["code"] == "saws"


def test_a_price_change_records_the_ladders_before_and_after(world):
    api = world.client()
    body = {"entries": [{"sku": "B-2", "tiers": [{"min_quantity": 6, "unit_price": "2.25"}]}]}

    r = api.send("PUT", f"/price-lists/{world.price_list.pk}/prices", json.dumps(body))

    assert r.status_code == 200
    entry = only_entry("pricing.pricelist", world.price_list.pk)
    assert entry.before == {"B-2": [{"min_quantity": 1, "unit_price": "2.50"}]}
    assert entry.after == {"B-2": [{"min_quantity": 6, "unit_price": "2.25"}]}


def test_contract_prices_and_promotions_are_recorded(world):
    from datetime import date, datetime

    contract = pricing.create_contract_price(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        sku_id=world.skus["A-1"].pk,
        valid_from=date(2026, 1, 1),
        valid_until=None,
        tiers=[(1, Decimal("7.00"))],
    )
    pricing.update_contract_price(
        tenant_id=world.tenant.pk, contract_id=contract.pk, tiers=[(1, Decimal("6.50"))]
    )
    promotion = pricing.create_promotion(
        tenant_id=world.tenant.pk,
        code="spring",
        name="Spring",
        kind="percent",
        value=Decimal("10"),
        starts_at=datetime(2026, 3, 1, tzinfo=UTC),
        ends_at=datetime(2026, 4, 1, tzinfo=UTC),
        targets=pricing.PromotionTargets(
            category_ids=[], sku_ids=[world.skus["A-1"].pk], customer_group_ids=[]
        ),
    )

    created, changed = entries_of("pricing.contractprice", contract.pk)
    assert created.action == "created" and changed.action == "changed"
    assert changed.before["tiers"][0]["unit_price"] != changed.after["tiers"][0]["unit_price"]
    assert set(changed.after) == {"tiers"}
    assert only_entry("pricing.promotion", promotion.pk).after["code"] == "spring"


def test_credit_changes_are_recorded_with_the_limit_before_and_after(world):
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, credit_limit=Decimal("5000.00")
    )

    entry = AuditEntry.objects.get(object_type="customers.creditline")
    assert entry.before == {"credit_limit": None, "updated_at": entry.before["updated_at"]}
    assert entry.after["credit_limit"] == "5000.00"
    assert entry.object_id == str(world.company.credit_line.pk)


def test_a_new_company_user_is_recorded_about_that_person_without_a_password(world):
    member = customers.create_company_user(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        email="mei@buyer.test",
        name="Mei",
        role="buyer",
    )
    customers.update_company_user(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        company_user_id=member.pk,
        name="Mei Chan",
    )

    account = entries_of("auth.user", member.user_id)
    assert [e.action for e in account] == ["created", "changed"]
    assert all(e.subject_user_id == member.user_id for e in account)
    assert "password" not in account[0].after and account[0].after["email"] == "mei@buyer.test"
    assert (account[1].before, account[1].after) == (
        {"first_name": "Mei"},
        {"first_name": "Mei Chan"},
    )
    assert only_entry("customers.companyuser", member.pk).subject_user_id == member.user_id


def test_buyer_keys_are_recorded_without_their_secret(world):
    member = customers.create_company_user(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        email="k@buyer.test",
        name="K",
        role="buyer",
    )
    issued = customers.issue_buyer_api_key(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        company_user_id=member.pk,
        name="erp",
        scopes={"read"},
    )
    customers.revoke_buyer_api_key(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        company_user_id=member.pk,
        prefix=issued.key.prefix,
    )

    created, revoked = entries_of("core.apikey", issued.key.pk)
    assert "secret_hash" not in created.after and created.after["prefix"] == issued.key.prefix
    assert revoked.before == {"revoked_at": None} and revoked.after["revoked_at"] is not None


def test_webhooks_are_recorded_without_their_signing_secrets(world):
    made = webhooks.create_subscription(
        tenant_id=world.tenant.pk,
        url="https://93.184.215.14/hooks",
        event_types=[],
        platform_hosts=[],
    )
    webhooks.rotate_secret(tenant_id=world.tenant.pk, subscription_id=made.subscription.pk)
    webhooks.delete_subscription(tenant_id=world.tenant.pk, subscription_id=made.subscription.pk)

    entries = entries_of("integrations.webhooksubscription", made.subscription.pk)
    assert [e.action for e in entries] == ["created", "changed", "deleted"]
    for entry in entries:
        assert not {"secret", "previous_secret"} & (set(entry.before) | set(entry.after))
    assert made.secret not in str([(e.before, e.after) for e in entries])


def test_without_a_request_the_actor_is_the_system_or_whoever_the_context_names(world):
    pricing.update_price_list(
        tenant_id=world.tenant.pk, price_list_id=world.price_list.pk, name="A"
    )
    with actors.acting_as(actors.Actor("worker", label="worker", via="worker")):
        pricing.update_price_list(
            tenant_id=world.tenant.pk, price_list_id=world.price_list.pk, name="B"
        )

    first, second = entries_of("pricing.pricelist", world.price_list.pk)
    assert (first.actor_kind, first.via) == ("system", "")
    assert (second.actor_kind, second.via, second.actor_label) == ("worker", "worker", "worker")


@pytest.fixture
def operator(db):
    user = User.objects.create_superuser("op", "op@deployment.test", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return user, client


def test_an_admin_change_names_the_person_and_the_admin_door(world, operator):
    user, client = operator
    warehouse = world.warehouses[0]

    r = client.post(
        f"/admin/inventory/warehouse/{warehouse.pk}/change/",
        {"code": "main", "name": "Main hall", "priority": 1, "is_active": "on"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert r.status_code == 302, r.content[:2000]
    entry = only_entry("inventory.warehouse", warehouse.pk)
    assert (entry.actor_kind, entry.actor_user_id, entry.via) == ("user", user.pk, "admin")
    assert entry.client_address == "198.51.100.7"
    assert (entry.before["name"], entry.after["name"]) == ("Main", "Main hall")
