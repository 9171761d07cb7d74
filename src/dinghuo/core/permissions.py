"""Who on a seller's staff may do what: the one permission matrix (a pure rule, no database).

Every back-office page (`backoffice.access.staff_required`) and every staff API route
(`api.auth.staff_may`) names one permission of `PERMISSIONS`; a role may use it when its
column is marked. `docs/roles.md` shows this table (a test keeps the two the same).

The roles, as a wholesaler staffs its office:
- owner: everything, including the tenant's settings, API keys and other owners.
- manager: everything but the tenant's settings and API keys; manages staff up to manager.
- sales: orders, quotes, customers and prices; sees stock, invoices and credit.
- warehouse: ships, receives, counts and takes returns back; never sees prices, money or credit.
- finance: invoices, payments, refunds, credit and exchange rates; sees orders and returns,
  not stock.
- read-only: sees what the tenant's staff see, changes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    SALES = "sales"
    WAREHOUSE = "warehouse"
    FINANCE = "finance"
    READ_ONLY = "read_only"


ROLES: tuple[Role, ...] = tuple(Role)
ROLE_NAMES: dict[Role, Promise] = {
    Role.OWNER: _("Owner"),
    Role.MANAGER: _("Manager"),
    Role.SALES: _("Sales"),
    Role.WAREHOUSE: _("Warehouse"),
    Role.FINANCE: _("Finance"),
    Role.READ_ONLY: _("Read-only"),
}


@dataclass(frozen=True)
class Permission:
    name: str
    meaning: str
    roles: frozenset[Role]
    changes: bool  # False: it only shows (read-only staff have exactly these)


# One row a permission; the columns are ROLES in order: owner, manager, sales, warehouse,
# finance, read-only ("x" may, "." may not).
_MATRIX = """
account.own        x x x x x x  their own account: password, sign-in, sessions
orders.view        x x x . x x  see orders, their lines and amounts
orders.enter       x x x . . .  place orders for a customer, change an order's lines
orders.approve     x x x . . .  confirm, approve or reject orders
orders.cancel      x x x . . .  cancel orders, close what is left of them
quotes.view        x x x . x x  see customers' quote requests
quotes.answer      x x x . . .  answer quote requests
fulfilment.view    x x x x . x  see what is to ship, shipments, packing slips
fulfilment.ship    x x . x . .  pick, ship and deliver
stock.view         x x x x . x  see stock levels and movements (without prices)
stock.receive      x x . x . .  receive goods into stock
stock.adjust       x x . x . .  count and adjust stock, move it between warehouses
stock.count        x x . x . .  start stock counts and type what is on the shelf
stock.count_post   x x . . . .  review stock counts: post their variances, recount, cancel
returns.view       x x x x x x  see return requests
returns.decide     x x x . . .  approve or reject return requests
returns.receive    x x . x . .  receive returned goods
returns.close      x x . . x .  close returns with a credit note or refund
purchasing.view    x x x . x x  see suppliers, reorder rules, suggestions, purchase orders and costs
purchasing.edit    x x . . . .  change suppliers, reorder rules; draft, send, close purchase orders
purchasing.approve x x . . . .  approve purchase orders above the approval limit
purchasing.receive x x . x . .  receive deliveries against purchase orders (no costs shown)
catalog.view       x x x x x x  see products, SKUs and categories
catalog.change     x x . . . .  create and change products, SKUs and categories
customers.view     x x x . x x  see companies, their people and addresses
customers.change   x x x . . .  create and change companies, their people and addresses
prices.view        x x x . x x  see prices, price lists, promotions and taxes
prices.change      x x x . . .  change prices, price lists, promotions and assignments
credit.view        x x x . x x  see credit lines and what customers owe
credit.change      x x . . x .  change credit lines, release credit holds
billing.view       x x x . x x  see invoices, credit notes, payments and receivables
billing.change     x x . . x .  issue invoices and credit notes, record payments, match bank lines
fx.change          x x . . x .  set and import exchange rates
integrations.view  x x . . . x  see the event feed, webhooks, EDI and PunchOut connections
webhooks.manage    x x . . . .  add, change, replay and remove webhooks
edi.manage         x x . . . .  EDI trading partners and interchanges
punchout.manage    x x . . . .  PunchOut connections and their secrets
data.export        x x x . x x  export data to files
data.import        x x . . . .  import data from files
audit.view         x x . . . x  search the audit log
staff.manage       x x . . . .  invite staff and change their roles (never above one's own)
settings.change    x . . . . .  the tenant's settings: policies, branding, the sign-in rule
api_keys.manage    x . . . . .  issue and revoke the seller's API keys
people.erase       x . . . . .  download a person's data and erase them on request
"""
_SHOWING_ONLY = ("view", "export")


def _read(matrix: str) -> dict[str, Permission]:
    table = {}
    for line in matrix.strip().splitlines():
        name, *marks = line.split(maxsplit=len(ROLES) + 1)
        columns, meaning = marks[: len(ROLES)], marks[len(ROLES)]
        roles = frozenset(role for role, mark in zip(ROLES, columns, strict=True) if mark == "x")
        changes = not name.endswith(_SHOWING_ONLY) and name != "account.own"
        table[name] = Permission(name, meaning, roles, changes)
    return table


PERMISSIONS: dict[str, Permission] = _read(_MATRIX)
# A role's permissions, read once: a check is a set lookup, no query.
GRANTS: dict[Role, frozenset[str]] = {
    role: frozenset(p.name for p in PERMISSIONS.values() if role in p.roles) for role in ROLES
}


def known(permission: str) -> str:
    """`permission` if the matrix has it; a misspelt name fails at import, not at a request."""
    if permission not in PERMISSIONS:
        raise ValueError(f"{permission!r} is not in dinghuo.core.permissions._MATRIX")
    return permission


def may(role: str | None, permission: str) -> bool:
    """Whether a staff member or key of `role` may use `permission` (an unknown role: never)."""
    try:
        return permission in GRANTS[Role(role)] if role else False
    except ValueError:
        return False


def may_grant(granter: str, role: str, *, replacing: str | None = None) -> bool:
    """Whether someone of role `granter` may give a person `role` (in place of `replacing`):
    they need `staff.manage`, and both roles may do nothing the granter may not, so a
    manager can make a clerk a manager but never an owner, nor change an owner."""
    if not may(granter, "staff.manage"):
        return False
    own = GRANTS[Role(granter)]
    roles = [role] if replacing is None else [role, replacing]
    return all(r in ROLES and GRANTS[Role(r)] <= own for r in roles)


def markdown_table(roles: Iterable[Role] = ROLES) -> str:
    """The matrix as the Markdown table docs/roles.md shows."""
    columns = list(roles)
    head = "| permission | " + " | ".join(str(ROLE_NAMES[r]) for r in columns) + " | what |"
    rule = "|---|" + "---|" * len(columns) + "---|"
    rows = [
        f"| `{p.name}` | "
        + " | ".join("✓" if r in p.roles else "" for r in columns)
        + f" | {p.meaning} |"
        for p in PERMISSIONS.values()
    ]
    return "\n".join([head, rule, *rows])
