"""THE walk of the back office: every page and action (GET, and POST with an empty form),
signed in as each role, answers as the permission matrix says — 403 where the role lacks the
permission, with nothing of the tenant changed; never 403 where it has it; 405 for a method
the page does not take. A page that declares no permission fails the first test."""

from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dinghuo.backoffice.access import UNDECLARED, Needs
from dinghuo.core.permissions import PERMISSIONS, ROLES, may
from tests.api.test_tenant_isolation import tenant_rows
from tests.backoffice.staffing import make_staff
from tests.test_page_isolation import fill, owner  # noqa: F401 (the fixture)

# Pages anyone may open, signed in or not: they declare no permission.
PUBLIC_PAGES = {"backoffice:sign-in", "backoffice:sign-in-code", "backoffice:sign-out"}


def staff_pages() -> list[tuple[str, str, Any]]:
    """(name, route, view) of every URL under /staff/."""
    found = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and route.startswith("staff/"):
                found.append((f"{namespace}{pattern.name}", route, pattern.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


def needs_of(view: Any) -> Needs | None:
    return getattr(view, "staff_needs", None)


def test_every_staff_page_declares_the_permission_it_needs():
    missing = []
    for name, route, view in staff_pages():
        needs = needs_of(view)
        if name in PUBLIC_PAGES:
            continue
        if needs is None or UNDECLARED in (needs.get, needs.post):
            missing.append(f"{name} (/{route}, {view.__module__}.{view.__name__})")
    assert not missing, (
        "These back-office pages name no permission. Wrap each view in "
        '@staff_required(get="<permission>", post="<permission>") from '
        "dinghuo/backoffice/access.py (leave out the method the view does not take), choosing "
        "permissions of dinghuo/core/permissions.py (add a row there and to docs/roles.md if "
        "none fits), or add the URL name to PUBLIC_PAGES in "
        f"tests/backoffice/test_roles_walk.py if anyone may open it: {missing}"
    )
    declared = {p for _, _, v in staff_pages() if needs_of(v) for p in vars(needs_of(v)).values()}
    assert declared - {None} <= set(PERMISSIONS)


def _send(client: Client, method: str, path: str) -> Any:
    return client.get(path) if method == "GET" else client.post(path, {})


# The roles that change least walk first: one world serves them all (it is slow to build),
# and what an allowed action changes cannot make a later refusal pass (a refusal comes before
# any lookup).
WALK_ORDER = ("read_only", "warehouse", "finance", "sales", "manager", "owner")


def test_each_role_reaches_what_the_matrix_allows_and_nothing_else(world, owner):  # noqa: F811
    assert sorted(WALK_ORDER) == sorted(r.value for r in ROLES)
    for role in WALK_ORDER:
        _walk(world, owner, role)


def _walk(world: Any, ids: dict[str, Any], role: str) -> None:
    client = Client()
    client.force_login(make_staff(world, f"{role}@seller.test", role=role).user)
    calls = []
    for name, route, view in staff_pages():
        needs = needs_of(view)
        if name in PUBLIC_PAGES or needs is None:
            continue
        path = fill("/", route, ids)
        for method in ("GET", "POST"):
            needed = needs.of(method)
            allowed = needed is not None and may(role, needed)
            calls.append((not allowed, method, path, needed))
    refused = [c for c in calls if c[0]]
    before = tenant_rows(world.tenant.pk)
    for _, method, path, needed in refused:
        status = _send(client, method, path).status_code
        expected = 405 if needed is None else 403
        assert status == expected, f"{role} {method} {path} (needs {needed}): {status}"
    assert tenant_rows(world.tenant.pk) == before, f"a refused request of {role} changed rows"
    for _, method, path, needed in (c for c in calls if not c[0]):
        status = _send(client, method, path).status_code
        assert status != 403, f"{role} {method} {path} (needs {needed}) was refused"
    assert len(calls) >= 150
