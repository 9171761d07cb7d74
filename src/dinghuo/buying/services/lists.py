"""Requisition (saved) list writes: save, change and delete a company's lists, which every
user of the company sees. Lists record no events (they are drafts). Adding a list to a cart
is repricing's (`services.repricing.add_requisition_list_to_cart`).
"""

from dataclasses import dataclass

from django.db import transaction

from dinghuo.buying import queries
from dinghuo.buying.models import RequisitionList
from dinghuo.buying.models import RequisitionListLine as ListLineRow
from dinghuo.buying.queries import Buyer
from dinghuo.buying.services.problems import moved
from dinghuo.core.errors import PermissionDenied
from dinghuo.core.queries import tenant_row
from dinghuo.core.writes import refuse
from dinghuo.customers.models import CompanyUser
from dinghuo.orders.queries import check_lines
from dinghuo.orders.services import LineRequest

# A saved list may hold a line that cannot be ordered today (no price, below a new minimum:
# its read shows why); it may not hold a SKU the company cannot buy at all.
_LIST_REFUSES = frozenset(
    {"unknown_sku", "inactive_sku", "duplicate_sku", "quantity_not_positive", "quantity_too_large"}
)


@dataclass(frozen=True)
class ListLine:
    """A line of a saved list: a SKU by code, how many, and a note."""

    sku: str
    quantity: int
    note: str = ""


@dataclass(frozen=True)
class Editor:
    """A company user changing a list; seller staff are `None` where an editor is asked."""

    company_user_id: int
    role: str


def _list_lines(tenant_id: int, buyer: Buyer, lines: list[ListLine]) -> list[tuple[int, ListLine]]:
    """The SKU id of every line; 422 with every line that names a SKU the company cannot buy,
    a SKU twice, or a quantity that is not positive."""
    if not lines:
        return []
    check = check_lines(
        tenant_id, buyer.company_id, [LineRequest(ln.sku, ln.quantity) for ln in lines]
    )
    errors = [
        moved(p, f"lines[{i}]")
        for i, line in enumerate(check.lines)
        for p in line.problems
        if p.code in _LIST_REFUSES
    ]
    refuse(errors, "Some lines cannot be saved; see errors.")
    resolved = []
    for line, checked in zip(lines, check.lines, strict=True):
        assert checked.sku_id is not None
        resolved.append((checked.sku_id, line))
    return resolved


def _write_list_lines(
    tenant_id: int, saved: RequisitionList, lines: list[tuple[int, ListLine]]
) -> None:
    ListLineRow.objects.bulk_create(
        ListLineRow(
            tenant_id=tenant_id,
            requisition_list=saved,
            sku_id=sku_id,
            quantity=line.quantity,
            note=line.note,
        )
        for sku_id, line in lines
    )


@transaction.atomic
def create_requisition_list(
    *,
    tenant_id: int,
    company_id: int,
    owner_id: int | None,
    name: str,
    lines: list[ListLine],
) -> RequisitionList:
    """A saved list of SKUs and quantities the company buys again and again, owned by the
    company user who made it (None: made by seller staff). Every user of the company sees it."""
    buyer = queries.buyer_company(tenant_id, company_id)
    resolved = _list_lines(tenant_id, buyer, lines)
    saved = RequisitionList.objects.create(
        tenant_id=tenant_id, company_id=company_id, owner_id=owner_id, name=name
    )
    _write_list_lines(tenant_id, saved, resolved)
    return saved


def _locked_list(
    tenant_id: int, company_id: int, list_id: int, editor: Editor | None
) -> RequisitionList:
    found = tenant_row(
        RequisitionList.objects.select_for_update().filter(company_id=company_id),
        tenant_id,
        list_id,
        f"No requisition list {list_id}.",
    )
    allowed = (
        editor is None
        or editor.role == CompanyUser.Role.ADMIN
        or found.owner_id == editor.company_user_id
    )
    if not allowed:
        raise PermissionDenied(
            "Only the list's owner or a company admin may change it.", code="not_list_owner"
        )
    return found


@transaction.atomic
def update_requisition_list(
    *,
    tenant_id: int,
    company_id: int,
    list_id: int,
    editor: Editor | None,
    name: str | None = None,
    lines: list[ListLine] | None = None,
) -> RequisitionList:
    """Rename a list and/or replace all its lines (None leaves either as it is).

    A company user may change the lists they made; a company admin and seller staff any list
    of the company (403 `not_list_owner` otherwise)."""
    saved = _locked_list(tenant_id, company_id, list_id, editor)
    if lines is not None:
        buyer = queries.buyer_company(tenant_id, company_id)
        resolved = _list_lines(tenant_id, buyer, lines)
        ListLineRow.objects.filter(requisition_list=saved).delete()
        _write_list_lines(tenant_id, saved, resolved)
    if name is not None:
        saved.name = name
    saved.save()
    return saved


@transaction.atomic
def delete_requisition_list(
    *, tenant_id: int, company_id: int, list_id: int, editor: Editor | None
) -> None:
    """Delete a list and its lines; who may is as for `update_requisition_list`."""
    _locked_list(tenant_id, company_id, list_id, editor).delete()
