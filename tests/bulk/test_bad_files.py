"""Files that cannot be imported: each refused with a clear reason, and nothing changed."""

import io
import zipfile

import openpyxl
import pytest

from dinghuo.bulk import files
from dinghuo.catalog.models import Product, Sku
from tests.bulk.helpers import csv_bytes, footprint, imported, upload

# The worker runs as in production: outside the test's transaction (it closes connections
# left inside one), so these tests commit and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)

HEAD = ["Product code", "Product name (English)", "SKU code", "Pack size"]


def refused(world, content, **kw):
    before = footprint(world.tenant.pk), Sku.objects.count()
    run = imported(world, "products", content, mode="apply", **kw)
    assert run["state"] == "refused"
    assert (footprint(world.tenant.pk), Sku.objects.count()) == before
    return [(p["row"], p["column"], p["code"]) for p in run["problems"]], run


def test_a_csv_in_big5_is_refused_naming_the_encoding(world):
    content = "\r\n".join([",".join(HEAD), "P-X,茶葉,X-1,1"]).encode("big5")
    problems, run = refused(world, content)
    assert problems == [(None, None, "not_utf8")]
    assert "UTF-8" in run["problems"][0]["message"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-8-sig"])
def test_utf8_with_or_without_a_mark_and_utf16_with_its_mark_are_read(world, encoding):
    text = "\r\n".join([",".join(HEAD), "P-X,茶葉,X-1,1"])
    run = imported(world, "products", text.encode(encoding), mode="apply", key=encoding)
    assert run["state"] == "applied", run["problems"]
    assert Product.objects.get(code="P-X").name_en == "茶葉"


def test_unknown_and_missing_columns_are_refused_before_any_row(world):
    problems, _run = refused(world, csv_bytes([["SKU code", "Colour"], ["A-1", "red"]]))
    assert problems == [(1, "Colour", "unknown_column"),
                        (1, "Product code", "required_column_missing")]  # fmt: skip


def test_each_bad_cell_and_duplicate_key_is_reported_at_its_row_and_column(world):
    content = csv_bytes([
        HEAD,
        ["P-X", "X", "X-1", "six"],
        ["P-X", "X", "X-2", "1"],
        ["P-Y", "Y", "X-2", "1"],
        ["P-Z", "", "Z-1", "1"],
    ])  # fmt: skip
    problems, _run = refused(world, content)
    assert problems == [
        (2, "Pack size", "not_whole_number"),
        (4, "SKU code", "duplicate_key"),
        (5, "Product name (English)", "name_required"),
    ]


def xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_formula_cells_of_a_workbook_are_refused_at_their_cell(world):
    content = xlsx([HEAD, ["P-X", '=HYPERLINK("http://x","y")', "X-1", "=2*3"]])
    problems, _run = refused(world, content, name="p.xlsx")
    assert problems == [(2, "Pack size", "formula_cell"),
                        (2, "Product name (English)", "formula_cell")]  # fmt: skip


def test_a_zip_bomb_posing_as_a_workbook_is_not_opened(world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    problems, run = refused(world, out.getvalue(), name="prices.xlsx")
    assert problems == [(None, None, "zip_bomb")]
    assert "300 MB" in run["problems"][0]["message"]


def test_a_file_larger_than_the_limit_is_refused_by_the_api(world, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    r = upload(
        world, "products", csv_bytes([HEAD] + [["P", "N", f"S-{i}", "1"] for i in range(200)])
    )
    assert (r.status_code, r.json()["code"]) == (413, "file_too_large")


def test_an_upload_without_its_idempotency_key_or_of_an_unknown_kind_is_refused(world):
    content = csv_bytes([HEAD, ["P-X", "X", "X-1", "1"]])
    r = upload(world, "nonsense", content)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "unknown_import_kind")
    from django.test import Client

    r = Client().post(
        "/api/v1/imports", {"kind": "products", "file": io.BytesIO(content)},
        headers={"Authorization": f"Bearer {world.key}"},
    )  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "idempotency_key_required")
