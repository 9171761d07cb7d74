"""Every error code raised anywhere in `src/dinghuo` has a message in `core.refusals`, and the
catalogs say each in Traditional and Simplified Chinese; messages fill in the values the
problem carries, speak to the right audience and let a page put its own words first.

The codes are found by reading the code, not by a list kept by hand: every string literal
given as the `code` of `DomainError` (and its subclasses), `FieldError`, a carrier such as
`pricing.tiers.TierProblem`, or any function that passes one of its parameters on as such a
code (`buying.services._refusal`, `core.writes.field_conflict`, …, found by following the
calls), plus the error classes' own `code`. A code argument that is neither a literal nor a
forwarded code must be listed in `FLOWS` with the codes it can hold, so that a new way of
raising cannot slip past this test.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

from dinghuo.core import refusals
from dinghuo.core.errors import Busy, Conflict, FieldError, ValidationFailed
from dinghuo.customers import credit
from dinghuo.orders import amendment_rules

SOURCE = Path(refusals.__file__).resolve().parents[1]  # src/dinghuo
PACKAGE = SOURCE.name
# Fewer codes than this means the walk below went blind, not that the code base shrank.
SANITY_MINIMUM = 100
ERROR_BASE = "DomainError"
# FieldError, and the classes that carry a code into one later (`FieldError(…, p.code, …)`):
# the position of the code among their fields.
CARRIERS = {"TierProblem": 2, "FieldError": 1}
# A file import's problems: at a row and column (`bulk.layout.CellProblem`, the import's own
# `report(row, column, code)`), a cell that cannot be read, a file refused whole.
CARRIERS |= {"CellProblem": 2, "report": 2, "Unreadable": 0, "FileRefused": 0}
# Code arguments that are variables, by module and expression: the codes they can hold.
FLOWS = {
    # the reasons `customers.credit.check` blocks an order for: one problem each when placing
    # refuses it, and the reasons the checkout's and the order entry's preview say it would be held
    ("orders/services/placing.py", "reason"): {credit.OVER_LIMIT, credit.OVERDUE},
    ("orders/routing_notice.py", "reason"): {credit.OVER_LIMIT, credit.OVERDUE},
    # why `amendment_rules.refusal` says an order cannot be amended now
    ("orders/services/amending.py", "why"): {
        amendment_rules.NOT_AMENDABLE,
        amendment_rules.WINDOW_CLOSED,
        amendment_rules.PICKING_STARTED,
        amendment_rules.BUYERS_MAY_NOT,
    },
    # the same reasons, said on the order pages instead of the amendment form
    ("pages/amendments.py", "why"): {
        amendment_rules.NOT_AMENDABLE,
        amendment_rules.WINDOW_CLOSED,
        amendment_rules.PICKING_STARTED,
        amendment_rules.BUYERS_MAY_NOT,
    },
}


@dataclass
class Module:
    name: str  # dinghuo.orders.services
    path: str  # orders/services.py
    tree: ast.Module
    defs: set[str] = field(default_factory=set)
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)  # local → (module, name)
    modules: dict[str, str] = field(default_factory=dict)  # local alias → module


@dataclass
class Found:
    codes: dict[str, list[str]] = field(default_factory=dict)  # code → where
    unaccounted: list[str] = field(default_factory=list)
    flows_seen: set[tuple[str, str]] = field(default_factory=set)

    def add(self, code: str, where: str) -> None:
        self.codes.setdefault(code, []).append(where)


def _modules() -> dict[str, Module]:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if "migrations" in relative.parts:
            continue
        parts = [PACKAGE, *relative.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        found[name] = Module(name, relative.as_posix(), ast.parse(path.read_text(), str(path)))
    for module in found.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                module.defs.add(node.name)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    local = alias.asname or alias.name
                    if f"{node.module}.{alias.name}" in found:
                        module.modules[local] = f"{node.module}.{alias.name}"
                    else:
                        module.imported[local] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name in found:
                        module.modules[alias.asname] = alias.name
    return found


def _callee(call: ast.Call, module: Module) -> tuple[str, str]:
    """(module, name) of the function called, as far as a reading can tell."""
    func = call.func
    if isinstance(func, ast.Name):
        if func.id in module.defs:
            return module.name, func.id
        return module.imported.get(func.id, ("", func.id))
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id in module.modules:
            return module.modules[func.value.id], func.attr
        return "", func.attr
    return "", ""


def _error_classes(modules: dict[str, Module]) -> dict[str, str | None]:
    """DomainError and every subclass, with the code each declares (None: inherited)."""
    classes: dict[str, str | None] = {}
    nodes = [
        node
        for module in modules.values()
        for node in ast.walk(module.tree)
        if isinstance(node, ast.ClassDef)
    ]
    grew = True
    while grew:
        grew = False
        for node in nodes:
            bases = {getattr(base, "id", getattr(base, "attr", None)) for base in node.bases}
            if node.name not in classes and (node.name == ERROR_BASE or bases & set(classes)):
                classes[node.name] = _declared_code(node)
                grew = True
    return classes


def _declared_code(node: ast.ClassDef) -> str | None:
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "code" for t in statement.targets)
            and isinstance(statement.value, ast.Constant)
        ):
            return str(statement.value.value)
    return None


# A code-taking callable: the position of its code among the positional arguments (None:
# keyword only) and the keyword.
Slot = tuple[int | None, str]


def _argument(call: ast.Call, slot: Slot) -> ast.expr | None:
    position, keyword = slot
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    if position is None or any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return None
    return call.args[position] if position < len(call.args) else None


def _functions(module: Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


class Takers:
    """What takes a code: classes by name, functions by (module, name)."""

    def __init__(self, classes: dict[str, str | None]) -> None:
        self.by_name: dict[str, Slot] = {name: (None, "code") for name in classes}
        self.by_name.update({name: (at, "code") for name, at in CARRIERS.items()})
        self.functions: dict[tuple[str, str], Slot] = {}

    def slot(self, call: ast.Call, module: Module) -> Slot | None:
        where, name = _callee(call, module)
        if (where, name) in self.functions:
            return self.functions[(where, name)]
        return self.by_name.get(name)


def _takers(modules: dict[str, Module], classes: dict[str, str | None]) -> Takers:
    """Follow the calls until no more function is found to pass a parameter on as a code."""
    takers = Takers(classes)
    grew = True
    while grew:
        grew = False
        for module in modules.values():
            for function in _functions(module):
                key = (module.name, function.name)
                if key in takers.functions or function.name in takers.by_name:
                    continue
                positional = [a.arg for a in function.args.posonlyargs + function.args.args]
                keyword_only = [a.arg for a in function.args.kwonlyargs]
                for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                    slot = takers.slot(call, module)
                    given = _argument(call, slot) if slot else None
                    if isinstance(given, ast.Name) and given.id in positional + keyword_only:
                        at = positional.index(given.id) if given.id in positional else None
                        takers.functions[key] = (at, given.id)
                        grew = True
                        break
    return takers


def _constants(node: ast.expr | None) -> list[str] | None:
    """The strings an expression can be, if it is made of literals only."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body), _constants(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _assigned(scope: ast.AST, name: str) -> list[str] | None:
    """The strings a local or module-level name is given, if all are literals."""
    values: list[str] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            said = _constants(node.value)
            if said is None:
                return None
            values += said
    return values or None


def raised_codes() -> Found:
    modules = _modules()
    classes = _error_classes(modules)
    takers = _takers(modules, classes)
    found = Found()
    for name, code in classes.items():
        if code:
            found.add(code, f"class {name}")
    for module in modules.values():
        scopes: list[tuple[ast.AST, set[str]]] = []
        for function in reversed(list(_functions(module))):  # nested ones first
            arguments = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
            scopes.append((function, {a.arg for a in arguments}))
        scopes.append((module.tree, set()))
        seen: set[int] = set()
        for scope, parameters in scopes:  # innermost first: functions, then the module
            for call in (n for n in ast.walk(scope) if isinstance(n, ast.Call)):
                if id(call) in seen:
                    continue
                seen.add(id(call))
                slot = takers.slot(call, module)
                given = _argument(call, slot) if slot else None
                if given is None:
                    continue
                where = f"{module.path}:{call.lineno}"
                codes = _constants(given)
                if codes is None and isinstance(given, ast.Name):
                    if given.id in parameters:
                        continue  # passed on: the callers' literals are the codes
                    codes = _assigned(scope, given.id) or _assigned(module.tree, given.id)
                if codes is None and isinstance(given, ast.Attribute) and given.attr == "code":
                    continue  # an existing problem's code, passed on
                flow = (module.path, ast.unparse(given))
                if codes is None and flow in FLOWS:
                    found.flows_seen.add(flow)
                    codes = sorted(FLOWS[flow])
                if codes is None:
                    found.unaccounted.append(f"{where}: {ast.unparse(given)}")
                    continue
                for code in codes:
                    found.add(code, where)
    return found


@pytest.fixture(scope="module")
def found() -> Found:
    return raised_codes()


def _texts() -> Iterator[tuple[str, str, refusals.Text]]:
    for code, ways in refusals.CATALOG.items():
        for way in ways:
            yield code, "staff", way.staff
            if way.buyer is not None:
                yield code, "buyer", way.buyer


def _english(text: refusals.Text) -> str:
    with translation.override("en"):
        return str(text)


# --- the catalog knows every code -----------------------------------------------------------


def test_the_walk_finds_the_codes_it_must(found):
    assert len(found.codes) >= SANITY_MINIMUM, sorted(found.codes)
    # One of each way of raising: a class's own code, DomainError's keyword, a FieldError,
    # a helper's parameter (two levels), a carrier, a page's own problem, a variable's flow.
    for code in (
        "not_found",
        "credit_refused",
        "below_minimum",
        "already_a_member",
        "spending_limit_negative",
        "unknown_customer_group",
        "tiers_not_rising",
        "no_sku",
        "over_limit",
    ):
        assert code in found.codes, code


def test_every_code_argument_is_a_literal_or_accounted_for(found):
    assert found.unaccounted == [], (
        "A code is raised from a variable this test cannot read: add it to FLOWS with the "
        "codes it can hold"
    )
    assert found.flows_seen == set(FLOWS), "FLOWS names a variable that no longer exists"


def test_every_raised_code_has_a_message(found):
    missing = {code: where for code, where in found.codes.items() if code not in refusals.CATALOG}
    assert missing == {}, "add these codes to core/refusal_words.py"


def test_the_catalog_lists_only_codes_that_are_raised(found):
    assert set(refusals.CATALOG) - set(found.codes) == set()


def test_each_code_can_always_be_said_and_names_only_values_it_needs():
    for code, ways in refusals.CATALOG.items():
        assert ways, code
        assert not ways[-1].needs and ways[-1].field is None, f"{code}: no text for every case"
    for code, _audience, text in _texts():
        named = set(re.findall(r"%\((\w+)\)s", _english(text)))
        needs = {n for way in refusals.CATALOG[code] for n in way.needs}
        assert named <= needs, f"{code}: {_english(text)!r} names {named - needs}"
        assert "%" not in re.sub(r"%\(\w+\)s", "", _english(text)), code


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_the_catalogs_translate_every_message(language):
    untranslated = []
    for code, audience, text in _texts():
        english = _english(text)
        with translation.override(language):
            said = str(text)
        if said == english:
            untranslated.append(f"{code} ({audience}): {english}")
        assert set(re.findall(r"%\(\w+\)s", said)) == set(re.findall(r"%\(\w+\)s", english))
    assert untranslated == []


@pytest.mark.parametrize("language", ["en", "zh-hant", "zh-hans"])
def test_every_way_of_saying_a_code_can_be_said(language):
    """Each text through `message`, with the values it needs: a placeholder filled, a
    translation's own "%" (最多減 100%) left alone."""
    for code, ways in refusals.CATALOG.items():
        for way in ways:
            problem = FieldError(way.field or "x", code, "", dict.fromkeys(way.needs, 7))
            for audience in (refusals.STAFF, refusals.BUYER):
                with translation.override(language):
                    said = refusals.message(problem, audience=audience)
                    expected = str(way.text(audience))
                if way.needs:
                    expected %= dict.fromkeys(way.needs, 7)
                assert said == expected, code


# --- saying a problem -----------------------------------------------------------------------


def test_a_message_fills_in_the_values_the_problem_carries():
    minimum = FieldError("lines[0].quantity", "below_minimum", "Order at least 24", {"minimum": 24})
    assert refusals.message(minimum) == "Order at least 24."
    with translation.override("zh-hant"):
        assert "24" in refusals.message(minimum)
        assert "Order" not in refusals.message(minimum)
    # without the value, the text that needs none
    bare = FieldError("lines[0].quantity", "below_minimum", "")
    assert refusals.message(bare) == "The quantity is below the minimum order quantity."
    stock = FieldError("lines", "insufficient_stock", "", {"line_number": 2})
    assert refusals.message(stock) == "These units are neither reserved nor in stock."


def test_the_buyer_is_told_about_their_company_and_staff_about_the_company():
    problem = FieldError("ship_to_id", "unknown_ship_to", "Not an active ship-to")
    assert refusals.message(problem, audience=refusals.BUYER) == (
        "Choose one of your company's delivery addresses."
    )
    assert refusals.message(problem) == "Choose one of the company's delivery addresses."
    # a code with one wording says it to both
    both = FieldError("", "cart_empty", "")
    assert refusals.message(both, audience=refusals.BUYER) == refusals.message(both)


def test_a_pages_own_words_win_where_they_can_be_said():
    moved = FieldError("", "invalid_transition", "Cannot approve a cancelled order")
    words = {"invalid_transition": "This order no longer waits for approval."}
    assert refusals.message(moved, overrides=words) == "This order no longer waits for approval."
    # an override naming a value the problem lacks gives way to the catalog
    short = FieldError("quantity", "insufficient_stock", "", {"line_number": 1})
    said = refusals.message(short, overrides={"insufficient_stock": "Only %(available)s."})
    assert said == "These units are neither reserved nor in stock."


def test_a_precise_reason_is_said_rather_than_its_general_code():
    tier = FieldError("entries[0].tiers", "invalid_tiers", "", {"reason": "tiers_not_rising"})
    assert refusals.message(tier) == "Each minimum quantity must be higher than the row above."
    odd = FieldError("entries[0].tiers", "invalid_tiers", "", {"reason": "no_such_reason"})
    assert refusals.message(odd) == "The price tiers are not valid."


def test_a_field_specific_text_is_used_for_its_field_only():
    assert refusals.message(FieldError("carrier", "required", "")) == "Name the carrier."
    assert refusals.message(FieldError("Idempotency-Key", "required", "")) == "This is required."


def test_a_refusal_is_said_once_per_sentence_and_by_its_code_without_field_errors():
    error = ValidationFailed(
        "see errors",
        errors=[
            FieldError("lines[0].sku", "unknown_sku", "No SKU X"),
            FieldError("lines[1].sku", "unknown_sku", "No SKU Y"),
            FieldError("lines[1].quantity", "quantity_too_large", "Too large"),
        ],
    )
    assert refusals.messages(error, audience=refusals.BUYER) == [
        "No such SKU in your catalogue.",
        "The quantity is too large.",
    ]
    with translation.override("zh-hans"):
        (said,) = refusals.messages(Busy())
    assert said and "busy" not in said.lower()
    assert refusals.messages(Conflict("x", code="below_reserved")) == [
        "On hand cannot fall below the units reserved for orders."
    ]


def test_warnings_are_split_from_problems_that_block():
    blocking, warnings = refusals.split(
        [
            FieldError("lines[0].quantity", "insufficient_stock", "", {"available": 3}),
            FieldError("lines[0].quantity", "not_pack_multiple", "", {"pack_size": 6}),
            FieldError("lines[0].quantity", "not_pack_multiple", "", {"pack_size": 6}),
        ],
        audience=refusals.BUYER,
    )
    assert blocking == ["Comes in packs of 6."]
    assert warnings == ["Only 3 available now."]


def test_a_code_nobody_raises_is_still_said_in_the_pages_language():
    with translation.override("zh-hant"):
        said = refusals.code_message("no_such_code")
    assert "no_such_code" in said and "cannot" not in said
