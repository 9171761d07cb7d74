"""Exports and imports as an integrator makes them: over the API, the worker running the run."""

import csv
import io
from typing import Any

from django.core.management import call_command
from django.test import Client

from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockMovement
from tests.builders import World


def export(world: World, kind: str, fmt: str = "csv", **params: Any) -> bytes:
    client = Client()
    r = client.get(
        f"/api/v1/exports/{kind}",
        {"format": fmt, **params},
        headers={"Authorization": f"Bearer {world.key}"},
    )
    assert r.status_code == 200, r.content[:300]
    return b"".join(r.streaming_content)


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def csv_bytes(rows: list[list[Any]], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def upload(
    world: World, kind: str, content: bytes, *, name: str = "file.csv", mode: str = "dry_run",
    key: str | None = None,
) -> Any:  # fmt: skip
    client = Client()
    return client.post(
        "/api/v1/imports",
        {"kind": kind, "mode": mode, "file": _named(content, name)},
        headers={
            "Authorization": f"Bearer {world.key}",
            "Idempotency-Key": key or f"{kind}-{mode}-{hash(content)}",
        },
    )


def _named(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def run_worker() -> None:
    call_command("worker", "--once", stdout=io.StringIO())


def imported(world: World, kind: str, content: bytes, **kw: Any) -> dict[str, Any]:
    """Upload, let the worker run it, and answer the run as the API shows it."""
    r = upload(world, kind, content, **kw)
    assert r.status_code == 202, r.content[:500]
    run_worker()
    got = world.client().get(f"/imports/{r.json()['id']}")
    assert got.status_code == 200
    return dict(got.json())


def footprint(tenant_id: int) -> tuple[int, int]:
    """Events and ledger rows of the tenant: a re-run must add neither."""
    return (
        Event.objects.filter(tenant_id=tenant_id).count(),
        StockMovement.objects.filter(tenant_id=tenant_id).count(),
    )
