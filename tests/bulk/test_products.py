"""Products and SKUs out and in: the export imported again changes nothing; a changed file
updates by code; formulas never run."""

import io

import openpyxl
import pytest

from dinghuo.catalog.models import Product, Sku
from tests.bulk.helpers import csv_bytes, csv_rows, export, footprint, imported

# The worker runs as in production: outside the test's transaction (it closes connections
# left inside one), so these tests commit and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)

HEAD = ["Product code", "Product name (English)", "Product name (Traditional Chinese)",
        "SKU code", "SKU name (English)", "Pack size"]  # fmt: skip


def test_the_export_has_one_row_per_sku_with_the_three_languages(world):
    rows = csv_rows(export(world, "products"))
    assert rows[0][:4] == ["Seller", "Product code", "Product name (English)",
                           "Product name (Traditional Chinese)"]  # fmt: skip
    by_sku = {row[rows[0].index("SKU code")]: row for row in rows[1:]}
    assert sorted(by_sku) == ["A-1", "B-2", "C-3", "D-4"]
    b2 = by_sku["B-2"]
    assert b2[1:4] == ["P-B-2", "Product B-2", "產品 B-2"]
    assert b2[rows[0].index("Pack size")] == "6"
    assert b2[rows[0].index("Backorders allowed")] == "no"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_again_changes_nothing(world, fmt):
    Product.objects.filter(code="P-A-1").update(name_en='=HYPERLINK("http://evil")')
    content = export(world, "products", fmt)
    before = footprint(world.tenant.pk)
    stamps = list(Sku.objects.order_by("pk").values_list("updated_at", flat=True))
    run = imported(world, "products", content, name=f"products.{fmt}", mode="apply")
    assert (run["state"], run["problems"]) == ("applied", [])
    assert run["summary"]["skus_unchanged"] == 4
    assert run["summary"]["skus_updated"] == 0
    assert footprint(world.tenant.pk) == before
    assert list(Sku.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert Product.objects.get(code="P-A-1").name_en == '=HYPERLINK("http://evil")'


def test_formula_text_is_neutralised_in_both_formats_but_numbers_stay_numbers(world):
    Product.objects.filter(code="P-A-1").update(name_en="=1+1", name_zh_hant="@SUM(A1)")
    Product.objects.filter(code="P-B-2").update(name_en="-3", name_zh_hant="+852 1234")
    rows = csv_rows(export(world, "products"))
    by_product = {row[1]: row for row in rows[1:]}
    assert by_product["P-A-1"][2:4] == ["'=1+1", "'@SUM(A1)"]
    assert by_product["P-B-2"][2:4] == ["'-3", "'+852 1234"]
    book = openpyxl.load_workbook(io.BytesIO(export(world, "products", "xlsx")))
    sheet = book.worksheets[0]
    cells = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["P-A-1"][2].value == "'=1+1"
    assert cells["P-A-1"][2].data_type == "s"
    pack = cells["P-B-2"][[c.value for c in sheet[1]].index("Pack size")]
    assert (pack.value, pack.data_type) == (6, "n")


def test_a_file_creates_and_updates_by_code_and_a_rerun_changes_nothing(world):
    content = csv_bytes([
        HEAD,
        ["P-A-1", "Renamed", "", "A-1", "Item A-1", "1"],
        ["P-NEW", "New product", "新產品", "N-1", "New one", "12"],
        ["P-NEW", "", "", "N-2", "New two", "1"],
    ])  # fmt: skip
    run = imported(world, "products", content, mode="apply")
    assert run["state"] == "applied", run["problems"]
    new = Product.objects.get(code="P-NEW")
    assert (new.name_en, new.name_zh_hant) == ("New product", "新產品")
    assert sorted(new.skus.values_list("code", "pack_size")) == [("N-1", 12), ("N-2", 1)]
    a1 = Product.objects.get(code="P-A-1")
    assert (a1.name_en, a1.name_zh_hant) == ("Renamed", None)
    before = footprint(world.tenant.pk)
    again = imported(world, "products", content, mode="apply", key="again")
    assert again["state"] == "applied"
    assert footprint(world.tenant.pk) == before


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(world):
    content = csv_bytes([HEAD, ["P-NEW", "New product", "", "N-1", "New", "2"]])
    before = footprint(world.tenant.pk)
    run = imported(world, "products", content)
    assert run["state"] == "checked"
    assert run["summary"]["skus_created"] == 1
    assert not Product.objects.filter(code="P-NEW").exists()
    assert footprint(world.tenant.pk) == before
    applied = world.client().post(f"/imports/{run['id']}/apply")
    assert applied.status_code == 200, applied.json()
    from tests.bulk.helpers import run_worker

    run_worker()
    assert world.client().get(f"/imports/{run['id']}").json()["state"] == "applied"
    assert Product.objects.get(code="P-NEW").skus.get().pack_size == 2


def test_a_task_delivered_twice_runs_the_import_once(world):
    from dinghuo.bulk import importing
    from dinghuo.bulk.models import ImportRun

    content = csv_bytes([HEAD, ["P-NEW", "New product", "", "N-1", "New", "2"]])
    run = imported(world, "products", content, mode="apply")
    assert run["state"] == "applied"
    Product.objects.filter(code="P-NEW").update(name_en="Renamed since")
    before = footprint(world.tenant.pk)
    importing.run(run["id"])  # the same task again: the run is no longer waiting
    assert ImportRun.objects.get(pk=run["id"]).state == "applied"
    assert Product.objects.get(code="P-NEW").name_en == "Renamed since"  # not applied again
    assert footprint(world.tenant.pk) == before
