"""Category writes: create and change (code, translated name, parent)."""

from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category
from dinghuo.catalog.services.fields import assign, assign_texts, name_errors
from dinghuo.catalog.texts import Texts, localized
from dinghuo.core.errors import FieldError
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, locked_tenant_row, refuse, taken
from dinghuo.integrations import events


def _category_payload(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": localized(category, "name"),
        "parent_id": category.parent_id,
    }


def _parent_errors(
    tenant_id: int, parent_id: int | None, category_id: int | None
) -> list[FieldError]:
    """A parent must be the tenant's and must not sit below the category itself."""
    if parent_id is None:
        return []
    parents = dict(Category.objects.filter(tenant_id=tenant_id).values_list("id", "parent_id"))
    if parent_id not in parents:
        return [FieldError("parent_id", "unknown_parent", f"No category {parent_id}")]
    ancestor: int | None = parent_id
    while ancestor is not None:
        if ancestor == category_id:
            return [FieldError("parent_id", "category_cycle", "A category cannot sit below itself")]
        ancestor = parents.get(ancestor)
    return []


@transaction.atomic
def create_category(
    *, tenant_id: int, code: str, name: Texts, parent_id: int | None = None
) -> Category:
    """Create a category; `name` needs English, `parent_id` must be one of the tenant's."""
    category = Category(tenant_id=tenant_id, code=code, parent_id=parent_id)
    assign_texts(category, "name", name)
    errors = name_errors(category) + _parent_errors(tenant_id, parent_id, None)
    refuse(errors, "The category cannot be created; see errors.")
    if Category.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    with code_must_be_free("code"):
        category.save()
    audit.created(category)
    events.record(
        events.new(
            category.tenant_id,
            "category.created",
            "category",
            category.pk,
            _category_payload(category),
        )
    )
    return category


@transaction.atomic
def update_category(
    *,
    tenant_id: int,
    category_id: int,
    code: str | Unset = UNSET,
    name: Texts | Unset = UNSET,
    parent_id: int | Unset | None = UNSET,
) -> Category:
    """Change what is given; moving a category below one of its own descendants is refused."""
    category = locked_tenant_row(
        Category.objects.all(), tenant_id, category_id, f"No category {category_id}."
    )
    before = audit.snapshot(category)
    changed = [
        attr
        for attr, moved in [
            ("code", assign(category, "code", code)),
            ("name", name is not UNSET and assign_texts(category, "name", name)),
            ("parent_id", assign(category, "parent_id", parent_id)),
        ]
        if moved
    ]
    errors = name_errors(category) if "name" in changed else []
    if "parent_id" in changed:
        errors += _parent_errors(tenant_id, category.parent_id, category.pk)
    refuse(errors, "The category cannot be changed; see errors.")
    if not changed:
        return category
    if (
        "code" in changed
        and Category.objects.filter(tenant_id=tenant_id, code=category.code).exists()
    ):
        raise taken("code", category.code)
    with code_must_be_free("code"):
        category.save()
    audit.changed(category, before)
    payload = {**_category_payload(category), "changed": changed}
    events.record(
        events.new(category.tenant_id, "category.updated", "category", category.pk, payload)
    )
    return category
