"""Every write service of master data and settings records in the audit log.

Read from the source (no database): in each `services` module, a public function that writes
(`.save()`, `.create()`, a queryset's `.update()` or `.delete()`, a bulk write), itself or
through a function of the same module it calls, must record (`audit.…`, or core's
`audit()…`), itself or through such a function. What is left out is named below with its
reason: the writes whose history is the event feed or an immutable ledger (docs/audit.md),
and a few writes that are not master data. A new service that writes and records nothing
fails here until it records or is named, with its reason.
"""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "dinghuo"

# Whole modules whose writes are recorded elsewhere: each state change of an order,
# shipment, invoice, payment, return, stock movement or message is an outbox event (the
# event feed, an order's timeline) or a row of an immutable ledger, in the same transaction.
EVENTS_AND_LEDGERS = {
    "billing/services/balances.py",
    "billing/services/bank.py",
    "billing/services/cards.py",
    "billing/services/credit_notes.py",
    "billing/services/invoice_rows.py",
    "billing/services/invoicing.py",
    "billing/services/ledger.py",
    "billing/services/numbering.py",
    "billing/services/refunds.py",
    "billing/services/reminders.py",
    "bulk/services.py",  # import runs; the rows they write record through their services
    "buying/services/carts.py",  # a buyer's working data: carts, lists, quotes
    "buying/services/countering.py",  # counter-offers: the quote's events and its rounds
    "buying/services/lists.py",
    "buying/services/locking.py",
    "buying/services/quote_rounds.py",  # the quote's own history, written with its event
    "buying/services/quotes.py",
    "buying/services/repricing.py",
    "edi/services/inbound.py",
    "edi/services/messages.py",
    "edi/services/outbound.py",
    "edi/services/placing.py",
    "fulfilment/services.py",
    "inventory/services/bulk.py",
    "inventory/services/issuing.py",
    "inventory/services/levels.py",
    "inventory/services/receipts.py",
    "inventory/services/reservations.py",
    "inventory/services/transfers.py",
    "orders/services/amending_writes.py",
    "orders/services/approvals.py",
    "orders/services/backorders.py",
    "orders/services/cancelling.py",
    "orders/services/lifecycle.py",
    "orders/services/placing.py",
    "orders/services/short_closing.py",
    "punchout/services/ordering.py",
    "punchout/services/sessions.py",
    "purchasing/services/purchase_orders.py",  # each PO move is a `purchase_order.*` event
    "purchasing/services/receiving.py",
    "returns/services/approving.py",
    "returns/services/closing.py",
    "returns/services/exchanging.py",
    "returns/services/numbering.py",
    "returns/services/photos.py",
    "returns/services/receiving.py",
    "returns/services/requesting.py",
}
# Single functions, by module, that write without recording, and why.
NOT_RECORDED = {
    # API keys: created and revoked through `customers.services.keys`, which records them.
    "core/services.py": {
        "create_api_key",
        "revoke_api_key",
        "purge_idempotency_records",  # stored answers expire: no business data
    },
    "accounts/services.py": {
        "person_with_email",  # its callers record the new account with their tenant
        "mint_link",  # the worker's new link for a mail; the invitation itself is recorded
        # A reset asked for and taken by the worker: a queue of mails, written alike for any
        # address (recording it would tell whether an account exists), not data.
        "request_password_reset",
        "take_password_reset_request",
        "set_new_password",  # a secret: never copied, the person's own sign-in
        "end_other_sessions",  # sessions, not data
        "note_session",
        "forget_session",
    },
    # A person's own authenticator (secrets); the tenant's rule is recorded.
    "two_factor/services.py": {
        "begin_enrolment",
        "confirm_enrolment",
        "renew_recovery_codes",
        "turn_off",
    },
    # The mail queue and its feed position: what was sent is the mail's own row.
    "notifications/services.py": {"queue_mail", "start_feed", "make_mails_for"},
    # The outbox and webhook deliveries are the event feed itself.
    "integrations/services.py": {"add_deliveries", "replay_events", "replay_delivery"},
    # The credit counters, moved by orders, invoices and the receivables sync, each with its
    # event; the limit and terms (`update_credit_line`) are recorded.
    "customers/services/credit_lines.py": {
        "lock_credit_line",
        "take_credit",
        "change_order_exposure",
        "change_invoice_exposure",
        "reset_invoice_exposure",
        "sync_receivables",
    },
    "backoffice/services.py": {"user_for_email"},  # its callers record the new account
    # Erasing a person rewrites every table, the audit log included (docs/audit.md).
    "privacy/services.py": {"erase_person"},
}
WRITES = {
    "save",
    "create",
    "bulk_create",
    "bulk_update",
    "update_or_create",
    "get_or_create",
    "insert_instances",
    "insert_rows",
    "create_user",
}
QUERYSET_WRITES = {"update", "delete"}


def _service_modules() -> list[Path]:
    found = set(SOURCE.glob("*/services.py")) | set(SOURCE.glob("*/services/*.py"))
    # The audit log's own services are the recorder.
    return sorted(p for p in found if p.name != "__init__.py" and p.parent.name != "audit")


def _is_queryset(node: ast.expr) -> bool:
    """A receiver that is a queryset or a row: `X.objects…`, `….filter(…)`, `row`, not
    a dict's `.update`."""
    text = ast.unparse(node)
    return "objects" in text or ".filter(" in text or ".all()" in text or "_set" in text


def _writes_directly(func: ast.AST) -> bool:
    for node in ast.walk(func):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        if name in WRITES:
            return True
        if (
            name in QUERYSET_WRITES
            and isinstance(node.func, ast.Attribute)
            and (_is_queryset(node.func.value) or name == "delete")
        ):
            return True
    return False


def _records_directly(func: ast.AST) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Call):
            base = node.value
            if isinstance(base, ast.Name) and base.id == "audit":
                return True
            if isinstance(base, ast.Call) and ast.unparse(base.func) == "audit":
                return True
    return False


def _calls(func: ast.AST, names: set[str]) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(func)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
    }


def _closure(start: str, graph: dict[str, set[str]], holds: dict[str, bool]) -> bool:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if holds[name]:
            return True
        todo.extend(graph[name])
    return False


def unrecorded_writes(path: Path) -> set[str]:
    """The public functions of a module that write and record nothing."""
    tree = ast.parse(path.read_text())
    funcs = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    graph = {name: _calls(node, set(funcs)) for name, node in funcs.items()}
    writes = {name: _writes_directly(node) for name, node in funcs.items()}
    records = {name: _records_directly(node) for name, node in funcs.items()}
    return {
        name
        for name in funcs
        if not name.startswith("_")
        and _closure(name, graph, writes)
        and not _closure(name, graph, records)
    }


def test_every_service_that_writes_master_data_or_settings_records_it():
    missing = {}
    for path in _service_modules():
        where = path.relative_to(SOURCE).as_posix()
        if where in EVENTS_AND_LEDGERS:
            continue
        left = unrecorded_writes(path) - NOT_RECORDED.get(where, set())
        if left:
            missing[where] = sorted(left)

    assert missing == {}


def test_the_lists_of_exceptions_name_what_exists():
    """An exception that no longer matches anything is removed, so the lists stay true."""
    modules = {p.relative_to(SOURCE).as_posix(): p for p in _service_modules()}
    assert set(modules) >= EVENTS_AND_LEDGERS
    stale = {
        where: sorted(names - unrecorded_writes(modules[where]))
        for where, names in NOT_RECORDED.items()
        if names - unrecorded_writes(modules[where])
    }
    assert stale == {}


def test_the_check_finds_a_write_that_records_nothing(tmp_path):
    """The check itself can fail: a service saving a row without recording is found, one
    that records (directly or through its helper) is not."""
    module = tmp_path / "services.py"
    module.write_text(
        "def _save(row):\n"
        "    row.save()\n"
        "def _note(row):\n"
        "    audit.created(row)\n"
        "def silent(row):\n"
        "    _save(row)\n"
        "def loud(row):\n"
        "    _save(row)\n"
        "    _note(row)\n"
        "def through_core(row):\n"
        "    Thing.objects.filter(pk=1).update(x=1)\n"
        "    audit().changed(row, {})\n"
        "def dict_update(d):\n"
        "    d.update(x=1)\n"
    )

    assert unrecorded_writes(module) == {"silent"}
