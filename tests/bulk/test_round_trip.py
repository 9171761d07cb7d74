"""Every kind that can be imported: its export, imported again, changes nothing — in CSV and
in Excel — no row, no event, no ledger row."""

import pytest
from django.apps import apps

from tests.bulk.helpers import export, footprint, imported

# The worker runs as in production: outside the test's transaction (it closes connections
# left inside one), so these tests commit and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)

KINDS = ["products", "prices", "contract-prices", "stock", "companies", "company-users",
         "company-addresses"]  # fmt: skip
APPS = ("catalog", "pricing", "customers", "inventory", "auth")


def snapshot() -> dict[str, list[dict[str, object]]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_export_imported_again_changes_nothing(full_world, kind, fmt):
    content = export(full_world, kind, fmt)
    before, rows = footprint(full_world.tenant.pk), snapshot()
    run = imported(full_world, kind, content, name=f"{kind}.{fmt}", mode="apply")
    assert (run["state"], run["problems"]) == ("applied", []), run["problems"]
    assert run["rows_total"] == run["rows_done"] > 0
    assert footprint(full_world.tenant.pk) == before
    assert snapshot() == rows
