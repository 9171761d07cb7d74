"""THE walk of the staff API: every operation of the OpenAPI document, called with a seller's
key of each role, answers as the permission matrix says — 403 `role_forbids` where the role
lacks the operation's permission, with nothing of the tenant changed; never `role_forbids`
where it has it. An operation that names no permission fails the first test."""

from functools import cache
from typing import Any

from dinghuo.config.api import api
from dinghuo.core.permissions import PERMISSIONS, ROLES, may
from dinghuo.core.services import create_api_key
from tests.api.test_tenant_isolation import (
    SIGNED_PATHS,
    call,
    operations,
    owner_ids,  # noqa: F401 (the fixture)
    tenant_rows,
)
from tests.builders import ApiClient


@cache  # building the document takes a while; the walk asks it 1,300 times
def documented() -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path under /api/v1) → its OpenAPI operation."""
    paths = api.get_openapi_schema()["paths"]
    return {
        (method.upper(), path[len("/api/v1") :]): operation
        for path, methods in paths.items()
        for method, operation in methods.items()
    }


def permission_of(method: str, path: str) -> str | None:
    return documented()[(method, path)].get("x-permission")


def test_every_staff_operation_names_the_permission_it_needs():
    ops = documented()
    missing = [
        f"{m} {p} ({ops[(m, p)]['operationId']})"
        for m, p in operations()
        if p not in SIGNED_PATHS and ops[(m, p)].get("x-permission") not in PERMISSIONS
    ]
    assert not missing, (
        "These staff API operations name no permission. Add "
        'auth=staff_may("<permission>") (from dinghuo.api.auth) to each route\'s decorator, '
        "choosing a permission of dinghuo/core/permissions.py (add a row there and to "
        f"docs/roles.md if none fits): {missing}"
    )


def test_the_document_says_which_roles_may_in_the_403_answer():
    answer = documented()[("POST", "/orders/{order_id}/approve")]
    assert answer["x-permission"] == "orders.approve"
    assert answer["responses"][403]["description"].endswith(
        "`role_forbids` unless the key's role has `orders.approve` (owner, manager, sales)"
    )


def _refused(response: Any) -> bool:
    return response.status_code == 403 and response.json().get("code") == "role_forbids"


# The roles that change least walk first: one set of the owner's objects serves them all,
# and what an allowed call changes cannot make a later refusal pass (the key's role is
# checked before anything is read).
WALK_ORDER = ("read_only", "warehouse", "finance", "sales", "manager", "owner")


def test_each_roles_key_reaches_what_the_matrix_allows_and_nothing_else(world, owner_ids):  # noqa: F811
    assert sorted(WALK_ORDER) == sorted(r.value for r in ROLES)
    for role in WALK_ORDER:
        _walk(world, owner_ids, role)


def _walk(world: Any, ids: dict[str, Any], role: str) -> None:
    key = create_api_key(tenant=world.tenant, name=role, scopes={"read", "write"}, role=role)
    client = ApiClient(key.secret)
    walk = [
        (method, path, permission_of(method, path))
        for method, path in operations()
        if path not in SIGNED_PATHS
    ]
    before = tenant_rows(world.tenant.pk)
    refused = [(m, p, needed) for m, p, needed in walk if not may(role, needed or "")]
    for n, (method, path, needed) in enumerate(refused):
        response = call(client, method, path, ids, key=f"{role}-refused-{n}")
        assert _refused(response), f"{role} {method} {path} (needs {needed}): {response.content!r}"
    assert tenant_rows(world.tenant.pk) == before, f"a refused request of {role} changed rows"
    for n, (method, path, needed) in enumerate(w for w in walk if w not in refused):
        response = call(client, method, path, ids, key=f"{role}-allowed-{n}")
        assert not _refused(response), f"{role} {method} {path} (needs {needed}) was refused"
    assert len(walk) >= 200
