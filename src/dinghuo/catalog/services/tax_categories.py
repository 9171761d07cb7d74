"""Tax category writes: create and change (code, translated name). What a category costs at
each destination is the sellers' tax rates' (pricing)."""

from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import TaxCategory
from dinghuo.catalog.services.fields import assign, assign_texts, name_errors
from dinghuo.catalog.texts import Texts, localized
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, locked_tenant_row, refuse, taken
from dinghuo.integrations import events


def _payload(category: TaxCategory) -> dict[str, Any]:
    return {"code": category.code, "name": localized(category, "name")}


@transaction.atomic
def create_tax_category(*, tenant_id: int, code: str, name: Texts) -> TaxCategory:
    """Create a tax category; `name` needs English."""
    category = TaxCategory(tenant_id=tenant_id, code=code)
    assign_texts(category, "name", name)
    refuse(name_errors(category), "The tax category cannot be created; see errors.")
    if TaxCategory.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    with code_must_be_free("code"):
        category.save()
    audit.created(category)
    events.record(
        events.new(
            tenant_id, "tax_category.created", "tax_category", category.pk, _payload(category)
        )
    )
    return category


@transaction.atomic
def update_tax_category(
    *,
    tenant_id: int,
    tax_category_id: int,
    code: str | Unset = UNSET,
    name: Texts | Unset = UNSET,
) -> TaxCategory:
    """Change what is given (only the languages given of the name)."""
    category = locked_tenant_row(
        TaxCategory.objects.all(), tenant_id, tax_category_id, f"No tax category {tax_category_id}."
    )
    before = audit.snapshot(category)
    changed = [
        attr
        for attr, moved in [
            ("code", assign(category, "code", code)),
            ("name", name is not UNSET and assign_texts(category, "name", name)),
        ]
        if moved
    ]
    refuse(name_errors(category), "The tax category cannot be changed; see errors.")
    if not changed:
        return category
    if (
        "code" in changed
        and TaxCategory.objects.filter(tenant_id=tenant_id, code=category.code).exists()
    ):
        raise taken("code", category.code)
    with code_must_be_free("code"):
        category.save()
    audit.changed(category, before)
    payload = {**_payload(category), "changed": changed}
    events.record(
        events.new(tenant_id, "tax_category.updated", "tax_category", category.pk, payload)
    )
    return category
