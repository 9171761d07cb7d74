"""Saved (requisition) lists: what a company buys again and again, kept by name.

Reads through `buying.queries.requisition_lists` / `requisition_list` (a list is priced when
read, as the cart is) and writes through `buying.services` as the API's
`/my/requisition-lists` does: which SKUs a list may hold and who may change it (its owner or a
company admin) are the services' rules; "add to cart" is `add_requisition_list_to_cart`, whose
repricing report the cart page shows as it does after a reorder.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError, NotFound
from dinghuo.orders.queries import company_user_name
from dinghuo.pages.rows import read_pasted, typed_rows
from dinghuo.pages.skus import sku_names
from dinghuo.portal import forms
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required
from dinghuo.portal.params import positive_int

LISTS_PAGE_SIZE = 50


def line_index(problem: FieldError) -> int | None:
    """The line a service's problem is about (`lines[3].sku` → 3), if it names one."""
    if not problem.field.startswith("lines["):
        return None
    try:
        return int(problem.field[len("lines[") :].split("]", 1)[0])
    except ValueError:
        return None


def keep_repricing(request: HttpRequest, buyer: Buyer, repricing: buying.Repricing) -> None:
    """Keep what adding earlier lines to the cart did for the cart page to show once, in the
    form the reorder keeps it (plain strings: the session is JSON)."""
    names = sku_names(buyer.tenant_id, [line.sku_id or 0 for line in repricing.lines])
    request.session["portal_repricing"] = {
        "currency": repricing.currency,
        "lines": [
            {
                "sku": line.sku,
                "name": names.get(line.sku_id or 0, line.description),
                "quantity": line.quantity,
                "previous": None
                if line.previous_unit_price is None
                else str(line.previous_unit_price),
                "current": None
                if line.current_unit_price is None
                else str(line.current_unit_price),
                "changed": line.previous_unit_price != line.current_unit_price,
                "added": line.added,
                "problems": [forms.problem_message(p) for p in line.problems],
            }
            for line in repricing.lines
        ],
    }


# --- the lists ----------------------------------------------------------------------------


class NewListForm(django_forms.Form):
    name = django_forms.CharField(label=_("Name of the list"), max_length=200)
    source = django_forms.ChoiceField(
        label=_("Start from"),
        choices=[("rows", _("The rows below (or nothing)")), ("cart", _("My cart"))],
        widget=django_forms.RadioSelect,
    )
    rows_text = django_forms.CharField(
        label=_("Rows"),
        required=False,
        max_length=100_000,
        widget=django_forms.Textarea(attrs={"rows": 4, "placeholder": "A-100\t12"}),
        help_text=_("One row per line: SKU code, then quantity."),
    )


def _lists_page(request: BuyerRequest, form: NewListForm) -> HttpResponse:
    buyer = request.buyer
    before = positive_int(request.GET.get("before"))
    qs = buying_queries.requisition_lists(buyer.tenant_id, buyer.company_id).select_related(
        "owner__user"
    )
    if before:
        qs = qs.filter(id__lt=before)
    found = list(qs.order_by("-id")[: LISTS_PAGE_SIZE + 1])
    next_before = found[LISTS_PAGE_SIZE - 1].pk if len(found) > LISTS_PAGE_SIZE else None
    rows = [
        (saved, _owner_name(saved.owner.user) if saved.owner else gettext("the seller's staff"))
        for saved in found[:LISTS_PAGE_SIZE]
    ]
    return render(
        request,
        "portal/lists.html",
        {"rows": rows, "next_before": next_before, "form": form},
    )


def _owner_name(user: Any) -> str:
    return f"{user.first_name} {user.last_name}".strip() or str(user.email)


def _pasted_lines(form: django_forms.Form, text: str) -> list[buying.ListLine] | None:
    """The rows of a pasted text, or None with the unreadable lines put on the form."""
    read = read_pasted(text)
    for bad in read.bad_lines:
        form.add_error(
            "rows_text",
            gettext("Line %(number)d (%(text)s): %(reason)s")
            % {"number": bad.number, "text": bad.text, "reason": bad.reason},
        )
    if read.bad_lines:
        return None
    return [buying.ListLine(row.sku, row.quantity or 0) for row in read.rows]


def _line_refusal(
    form: django_forms.Form, field_name: str, error: DomainError, labels: list[str]
) -> None:
    """A service's refusal of some lines, each problem named by the row it is about."""
    for problem in refusals.problems_of(error):
        at = line_index(problem)
        text = forms.problem_message(problem)
        if at is not None and at < len(labels):
            form.add_error(field_name, f"{labels[at]}: {text}")
        else:
            form.add_error(None, text)


@require_http_methods(["GET", "POST"])
@buyer_required
def lists(request: BuyerRequest) -> HttpResponseBase:
    """The company's saved lists, newest first, and a new list made from the cart or from
    pasted rows (or empty)."""
    buyer = request.buyer
    if request.method == "GET":
        return _lists_page(request, NewListForm(initial={"source": "rows"}))
    form = NewListForm(request.POST)
    if not form.is_valid():
        return _lists_page(request, form)
    lines: list[buying.ListLine] | None
    if form.cleaned_data["source"] == "cart":
        company = buying_queries.buyer_company(buyer.tenant_id, buyer.company_id)
        cart = buying_queries.cart_lines(buyer.tenant_id, company, buyer.company_user_id)
        lines = [buying.ListLine(code, quantity) for _id, code, quantity, _note in cart]
        if not lines:
            form.add_error("source", forms.code_message("cart_empty"))
            return _lists_page(request, form)
        labels = [line.sku for line in lines]
    else:
        lines = _pasted_lines(form, form.cleaned_data["rows_text"])
        if lines is None:
            return _lists_page(request, form)
        labels = [
            gettext("Row %(number)d (%(sku)s)") % {"number": i, "sku": line.sku}
            for i, line in enumerate(lines, 1)
        ]
    try:
        saved = buying.create_requisition_list(
            tenant_id=buyer.tenant_id,
            company_id=buyer.company_id,
            owner_id=buyer.company_user_id,
            name=form.cleaned_data["name"].strip(),
            lines=lines,
        )
    except DomainError as error:
        _line_refusal(form, "rows_text", error, labels)
        return _lists_page(request, form)
    messages.success(request, gettext("The list is saved."))
    return redirect("portal:list", list_id=saved.pk)


# --- one list -----------------------------------------------------------------------------


@dataclass
class ListRow:
    """A line of a saved list as the page shows it: priced now, with its problems."""

    index: int
    sku_id: int
    sku: str
    name: str
    quantity_text: str
    note: str
    unit_price: Decimal | None
    line_total: Decimal | None
    problems: list[str]
    warnings: list[str]
    errors: list[str] = field(default_factory=list)


class RenameForm(django_forms.Form):
    name = django_forms.CharField(label=_("Name of the list"), max_length=200)


class AddRowsForm(django_forms.Form):
    rows_text = django_forms.CharField(
        label=_("Add rows"),
        required=False,
        max_length=100_000,
        widget=django_forms.Textarea(attrs={"rows": 3, "placeholder": "A-100\t12"}),
        help_text=_("One row per line: SKU code, then quantity."),
    )


def _list_context(buyer: Buyer, list_id: int) -> dict[str, Any]:
    """One list of the company priced now, named in the reader's language: a fixed number of
    queries whatever its length. Another company's list is not found (404)."""
    try:
        saved, priced = buying_queries.requisition_list(buyer.tenant_id, buyer.company_id, list_id)
    except NotFound as error:
        raise Http404 from error
    names = sku_names(buyer.tenant_id, [line.sku_id for line in priced.lines])
    rows = []
    for index, line in enumerate(priced.lines):
        blocking, warnings = forms.split_problems(line.check.problems)
        rows.append(
            ListRow(
                index=index,
                sku_id=line.sku_id,
                sku=line.check.sku,
                name=names.get(line.sku_id, line.check.description),
                quantity_text=str(line.check.quantity),
                note=line.note,
                unit_price=line.check.unit_price,
                line_total=line.check.line_total,
                problems=blocking,
                warnings=warnings,
            )
        )
    owner = (
        company_user_name(buyer.tenant_id, saved.owner_id)
        if saved.owner_id
        else gettext("the seller's staff")
    )
    return {
        "list": saved,
        "owner": owner,
        "rows": rows,
        "currency": priced.currency,
        "subtotal": priced.check.subtotal if priced.check else Decimal(0),
        "can_order": priced.can_order,
        "rename_form": RenameForm(initial={"name": saved.name}),
        "rows_form": AddRowsForm(),
    }


def _editor(buyer: Buyer) -> buying.Editor:
    return buying.Editor(buyer.company_user_id, buyer.role)


def _save_lines(request: BuyerRequest, context: dict[str, Any]) -> bool:
    """Replace the list's lines with the posted ones: the shown rows with their new
    quantities, less those marked for removal, plus pasted rows. Problems go next to the row
    (or under the pasted rows) they are about; answers whether the list was saved."""
    buyer = request.buyer
    rows: list[ListRow] = context["rows"]
    posted = dict(zip(request.POST.getlist("sku"), request.POST.getlist("quantity"), strict=False))
    removed = set(request.POST.getlist("remove"))
    rows_form = AddRowsForm(request.POST)
    context["rows_form"] = rows_form
    lines: list[buying.ListLine] = []
    targets: list[ListRow | str] = []  # where each line's problems are shown
    for row in rows:
        row.quantity_text = posted.get(row.sku, row.quantity_text).strip()
        if row.sku in removed:
            continue
        quantity = typed_rows([row.sku], [row.quantity_text])[0].quantity
        if quantity is None:
            row.errors.append(forms.code_message("not_a_number"))
            continue
        lines.append(buying.ListLine(row.sku, quantity, row.note))
        targets.append(row)
    pasted: list[buying.ListLine] | None = []
    if rows_form.is_valid() and rows_form.cleaned_data["rows_text"].strip():
        pasted = _pasted_lines(rows_form, rows_form.cleaned_data["rows_text"])
    if pasted is None or not rows_form.is_valid() or any(row.errors for row in rows):
        return False
    for number, line in enumerate(pasted, 1):
        lines.append(line)
        targets.append(gettext("Row %(number)d (%(sku)s)") % {"number": number, "sku": line.sku})
    try:
        buying.update_requisition_list(
            tenant_id=buyer.tenant_id,
            company_id=buyer.company_id,
            list_id=context["list"].pk,
            editor=_editor(buyer),
            lines=lines,
        )
    except DomainError as error:
        for problem in refusals.problems_of(error):
            text = forms.problem_message(problem)
            at = line_index(problem)
            target = targets[at] if at is not None and at < len(targets) else None
            if isinstance(target, ListRow):
                target.errors.append(text)
            elif isinstance(target, str):
                rows_form.add_error("rows_text", f"{target}: {text}")
            else:
                rows_form.add_error(None, text)
        return False
    return True


def _rename(request: BuyerRequest, context: dict[str, Any]) -> bool:
    buyer = request.buyer
    form = RenameForm(request.POST)
    context["rename_form"] = form
    if not form.is_valid():
        return False
    try:
        buying.update_requisition_list(
            tenant_id=buyer.tenant_id,
            company_id=buyer.company_id,
            list_id=context["list"].pk,
            editor=_editor(buyer),
            name=form.cleaned_data["name"].strip(),
        )
    except DomainError as error:
        for message in forms.refusal_messages(error):
            form.add_error(None, message)
        return False
    return True


@require_http_methods(["GET", "POST"])
@buyer_required
def saved_list(request: BuyerRequest, list_id: int) -> HttpResponseBase:
    """One saved list priced today, with the reasons a line cannot be ordered now; rename it
    (`action=rename`), change quantities, remove or add rows (`action=lines`)."""
    buyer = request.buyer
    context = _list_context(buyer, list_id)
    if request.method == "POST":
        action = request.POST.get("action")
        saved = _rename(request, context) if action == "rename" else _save_lines(request, context)
        if saved:
            messages.success(request, gettext("The list is saved."))
            return redirect("portal:list", list_id=list_id)
        return render(request, "portal/list.html", context)
    return render(request, "portal/list.html", context)


@require_POST
@buyer_required
def delete_list(request: BuyerRequest, list_id: int) -> HttpResponseBase:
    """Delete a saved list (its owner or a company admin)."""
    buyer = request.buyer
    try:
        buying.delete_requisition_list(
            tenant_id=buyer.tenant_id,
            company_id=buyer.company_id,
            list_id=list_id,
            editor=_editor(buyer),
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, " ".join(forms.refusal_messages(error)))
        return redirect("portal:list", list_id=list_id)
    messages.success(request, gettext("The list is deleted."))
    return redirect("portal:lists")


@require_POST
@buyer_required
def list_to_cart(request: BuyerRequest, list_id: int) -> HttpResponseBase:
    """Add a list's lines to the buyer's cart at today's prices; the cart then shows which
    lines were added, which price changed and which could not be added, and why."""
    buyer = request.buyer
    try:
        repricing = buying.add_requisition_list_to_cart(
            tenant_id=buyer.tenant_id,
            company_id=buyer.company_id,
            list_id=list_id,
            cart_owner_id=buyer.company_user_id,
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, " ".join(forms.refusal_messages(error)))
        return redirect("portal:list", list_id=list_id)
    keep_repricing(request, buyer, repricing)
    added = sum(1 for line in repricing.lines if line.added)
    messages.success(
        request,
        gettext("%(added)d of %(total)d lines were added to your cart at today's prices.")
        % {"added": added, "total": len(repricing.lines)},
    )
    return redirect("portal:cart")
