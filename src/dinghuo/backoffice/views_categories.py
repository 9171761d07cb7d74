"""Category pages: the tenant's category tree with a form for a new category, and one
category changed (code, names in three languages, the category it sits below).

Thin pages over `catalog.services.create_category` and `update_category`, the API's writes
(events included); a category moved below itself is the service's refusal, shown next to the
field. The tenant always comes from the signed-in staff member (another tenant's id: 404).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_catalog import (
    CategoryForm,
    catalog_field,
    category_choices,
    texts_of,
    translated_initial,
)
from dinghuo.catalog import queries as catalog
from dinghuo.catalog import services
from dinghuo.catalog.models import Category
from dinghuo.core.errors import DomainError, NotFound


def _tree(categories: list[Category]) -> list[tuple[Category, str]]:
    """Every category with its name indented by its depth, each below its parent (in the
    order the category selects offer them)."""
    by_id = {str(c.pk): c for c in categories}
    choices = category_choices(categories, blank=_("Top level"))
    return [(by_id[value], label) for value, label in choices if value]


@require_http_methods(["GET", "POST"])
@staff_required(get="catalog.view", post="catalog.change")
def categories(request: StaffRequest) -> HttpResponseBase:
    """The tenant's categories as a tree; POST creates one (`create_category`)."""
    tenant_id = request.staff.tenant_id
    found = list(catalog.categories(tenant_id))
    form = CategoryForm(
        request.POST if request.method == "POST" else None, categories=found, prefix="new"
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = changes.run(
                lambda: services.create_category(
                    tenant_id=tenant_id,
                    code=data["code"],
                    name=texts_of(data, "name"),
                    parent_id=data["parent"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, catalog_field)
        else:
            messages.success(
                request, gettext("Category %(name)s is created.") % {"name": created.name}
            )
            return redirect("backoffice:categories")
    return render(request, "backoffice/categories.html", {"rows": _tree(found), "form": form})


def _category_form(category: Category, found: list[Category], data: Any = None) -> CategoryForm:
    initial = {
        "code": category.code,
        "parent": category.parent_id,
        **translated_initial(category, "name"),
    }
    return CategoryForm(data, categories=found, initial=initial)


@require_http_methods(["GET", "POST"])
@staff_required(get="catalog.view", post="catalog.change")
def category(request: StaffRequest, category_id: int) -> HttpResponseBase:
    """One category; POST changes it (`update_category`)."""
    tenant_id = request.staff.tenant_id
    try:
        chosen = catalog.category(tenant_id, category_id)
    except NotFound as error:
        raise Http404 from error
    found = list(catalog.categories(tenant_id))
    form = _category_form(chosen, found, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes.run(
                lambda: services.update_category(
                    tenant_id=tenant_id,
                    category_id=chosen.pk,
                    code=data["code"],
                    name=texts_of(data, "name"),
                    parent_id=data["parent"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, catalog_field)
        else:
            messages.success(request, gettext("The category is saved."))
            return redirect("backoffice:categories")
    return _category_page(request, chosen, form)


def _category_page(request: StaffRequest, chosen: Category, form: CategoryForm) -> HttpResponse:
    return render(request, "backoffice/category.html", {"category": chosen, "form": form})
