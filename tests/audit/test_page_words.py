"""The audit page tells each change in the reader's words: a field by its name (not its
column), a choice by its label, money in its currency, a linked record by its name, a
yes or no; nothing internal (ids, feed positions), in English and in Chinese."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from dinghuo.backoffice import audit_words
from dinghuo.backoffice.views_audit import OBJECT_WORDS
from dinghuo.core import actors
from dinghuo.customers import services as customers
from dinghuo.inventory import services as inventory
from dinghuo.pricing import services as pricing
from tests.backoffice.staffing import staff_client

# Words that are the same in every language the pages speak.
SAME_IN_EVERY_LANGUAGE = {"GTIN", "GLN", "URL", "SKU", "SKUs"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _entries_table(page: str) -> str:
    """The entries' table as text: its tags removed, its spaces collapsed."""
    table = page.split('data-testid="audit-entries"', 1)[1].split("</table>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", table).split())


def test_a_warehouse_change_reads_as_its_fields_and_plain_values(world):
    staff = staff_client(world)
    warehouse = world.warehouses[0]
    with actors.acting_as(actors.Actor("user", user_id=staff.member.user_id, via="page")):
        inventory.update_warehouse(
            tenant_id=world.tenant.pk, warehouse_id=warehouse.pk, name="Main hall", is_active=False
        )

    english = _entries_table(staff.client.get("/staff/audit/").content.decode())
    chinese = _entries_table(
        staff.client.get("/staff/audit/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    )

    assert "Name: Main → Main hall" in english
    assert "Active: yes → no" in english
    assert "is_active" not in english and "is active" not in english
    assert "名稱： Main → Main hall" in chinese
    assert "是 → 否" in chinese
    assert not re.search(r"\b(Name|Active|yes|no)\b", chinese)


def test_a_company_user_reads_with_role_money_and_company_by_name(world):
    staff = staff_client(world)
    with actors.acting_as(actors.Actor("user", user_id=staff.member.user_id, via="page")):
        member = customers.create_company_user(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            email="mei@buyer.test",
            name="Mei",
            role="approver",
            spending_limit=Decimal("1234.5"),
        )

    page = staff.client.get("/staff/audit/", {"what": "customers.companyuser"})
    table = _entries_table(page.content.decode())

    assert "Spending limit: $1,234.50" in table
    assert "Role: Approver" in table
    assert "Company: Buyer One" in table
    assert "User: Mei" in table
    assert f" {member.pk} " not in table and "company_id" not in table
    assert "Other detail" not in table


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_every_column_of_every_recorded_kind_has_its_words_in_chinese(language):
    """A column the log may record is hidden or named in the page's language."""
    unnamed = []
    with translation.override(language):
        other = str(audit_words.FIELD_WORDS.get("", "")) or translation.gettext("Other detail")
        for object_type in OBJECT_WORDS:
            model = apps.get_model(object_type)
            for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
                key = getattr(field, "attname", field.name)
                if key in audit_words.HIDDEN:
                    continue
                said = audit_words.label(model, object_type, key)
                if said == other or not (CJK.search(said) or said in SAME_IN_EVERY_LANGUAGE):
                    unnamed.append(f"{object_type}.{key}: {said}")

    assert unnamed == []


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_every_choice_a_recorded_column_offers_reads_in_chinese(language):
    untranslated = []
    with translation.override(language):
        for object_type in OBJECT_WORDS:
            model = apps.get_model(object_type)
            for field in model._meta.concrete_fields:
                if field.attname in audit_words.HIDDEN:
                    continue  # never shown
                for value, _label in field.flatchoices if field.choices else []:
                    said = audit_words._choice(field, value)
                    if not CJK.search(said):
                        untranslated.append(f"{object_type}.{field.name}={value}: {said}")

    assert untranslated == []


def test_a_credit_limit_reads_in_the_companys_currency_and_counters_stay_hidden(world):
    staff = staff_client(world)
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, credit_limit=Decimal("5000")
    )

    table = _entries_table(
        staff.client.get("/staff/audit/", {"what": "customers.creditline"}).content.decode()
    )

    assert "Credit limit: – → $5,000.00" in table
    assert "exposure" not in table.lower()


def test_a_contract_price_names_its_sku_by_the_code_it_was_recorded_with(world):
    # The contract's entry records its SKU by code, not by id: the page reads it as written.
    staff = staff_client(world)
    sku = next(iter(world.skus.values()))
    pricing.create_contract_price(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        sku_id=sku.pk,
        valid_from=date(2026, 1, 1),
        valid_until=None,
        tiers=[(1, Decimal("9.50"))],
        reference="Deal 7",
    )

    page = staff.client.get("/staff/audit/")

    assert page.status_code == 200
    table = _entries_table(page.content.decode())
    assert f"Contract price Deal 7 created Company: {world.company.code} SKU: {sku.code}" in table
