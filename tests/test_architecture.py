"""Rules of the layout that import-linter cannot see: no app reaches into another app's private
names. (The arrows between apps are import-linter's contracts in pyproject.toml.)"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "dinghuo"


def _app_of(module: str) -> str:
    """`dinghuo.orders.services.placing` → `orders`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


# Django documents a model's `_meta` as public API despite its underscore.
_PUBLIC_DESPITE_UNDERSCORE = {"_meta"}


def _private(name: str) -> bool:
    return (
        name.startswith("_")
        and not name.startswith("__")
        and name not in _PUBLIC_DESPITE_UNDERSCORE
    )


def private_reaches(path: Path, src: Path = SRC) -> list[str]:
    """Each use in `path` (a file under `src`) of a private name of another app: imported by
    name, or read as an attribute of another app's module."""
    relative = path.relative_to(src.parent).with_suffix("")
    own_app = _app_of(".".join(relative.parts))
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    modules_of_other_apps: dict[str, str] = {}  # local name → module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("dinghuo.") or _app_of(node.module) == own_app:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.name}:{node.lineno} imports {node.module}.{alias.name}")
                modules_of_other_apps[alias.asname or alias.name] = node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dinghuo.") and _app_of(alias.name) != own_app:
                    modules_of_other_apps[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules_of_other_apps
            and _private(node.attr)
        ):
            owner = modules_of_other_apps[node.value.id]
            found.append(f"{path.name}:{node.lineno} reads {owner}….{node.attr}")
    return found


def test_no_app_uses_another_apps_private_names():
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            offences += [f"{path.relative_to(SRC)}: {o}" for o in private_reaches(path)]
    assert offences == []


def test_the_check_sees_a_private_import_and_a_private_attribute(tmp_path):
    """The rule above would pass on any tree if it saw nothing: show it catches both forms,
    and leaves an app's own private names and dunders alone."""
    src = tmp_path / "dinghuo"
    (src / "fulfilment").mkdir(parents=True)
    module = src / "fulfilment" / "services.py"
    module.write_text(
        "from dinghuo.orders.services import _locked_order, place_order\n"
        "from dinghuo.orders import services as orders\n"
        "from dinghuo.fulfilment.models import _own\n"
        "orders._order_event(1)\n"
        "orders.__name__\n"
        "orders.Order._meta\n"
    )
    assert private_reaches(module, src) == [
        "services.py:1 imports dinghuo.orders.services._locked_order",
        "services.py:4 reads dinghuo.orders…._order_event",
    ]
