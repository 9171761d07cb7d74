"""The imports pages: a file uploaded, checked by the worker, its problems shown by row and
column and downloadable, applied with a button; exports downloaded from the list pages."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dinghuo.bulk.models import ImportRun
from dinghuo.catalog.models import Product
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.bulk.helpers import csv_bytes, csv_rows, run_worker

# The worker runs as in production: outside the test's transaction (it closes connections
# left inside one), so these tests commit and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)

HEAD = ["Product code", "Product name (English)", "SKU code", "Pack size"]


def _upload(staff, content, mode="dry_run", token="t1"):
    file = SimpleUploadedFile("catalogue.csv", content, content_type="text/csv")
    return csrf_post(
        staff.client,
        "/staff/imports/",
        {"token": token, "kind": "products", "mode": mode, "file": file},
    )


def test_an_upload_is_checked_by_the_worker_then_applied_with_the_button(world):
    staff = staff_client(world)
    r = _upload(staff, csv_bytes([HEAD, ["P-NEW", "Tea", "T-1", "6"]]))
    assert r.status_code == 302
    run = ImportRun.objects.get()
    page = texts(staff.client.get(r["Location"]))
    assert 'hx-trigger="every 3s"' in page  # refreshes itself while the worker works
    assert "Waiting" in page
    run_worker()
    page = texts(staff.client.get(f"/staff/imports/{run.pk}/"))
    assert "Checked, ready to apply" in page and 'hx-trigger="every 3s"' not in page
    assert re.search(r"SKUs created</dt><dd>1</dd>", page)
    assert not Product.objects.filter(code="P-NEW").exists()
    assert csrf_post(staff.client, f"/staff/imports/{run.pk}/apply/").status_code == 302
    run_worker()
    assert "Applied" in texts(staff.client.get(f"/staff/imports/{run.pk}/"))
    assert Product.objects.get(code="P-NEW").skus.get().pack_size == 6


def test_problems_are_listed_by_row_and_column_and_downloadable_in_the_readers_language(world):
    staff = staff_client(world)
    r = _upload(staff, csv_bytes([HEAD, ["P-NEW", "Tea", "T-1", "six"]]), mode="apply")
    run_worker()
    page = texts(staff.client.get(r["Location"]))
    assert "1 problem found: nothing was changed." in page
    assert "Pack size" in page and "Write a whole number here." in page
    csv_file = staff.client.get(f"/staff/imports/{ImportRun.objects.get().pk}/problems.csv")
    assert csv_rows(b"".join(csv_file.streaming_content)) == [
        ["Row", "Column", "Problem"], ["2", "Pack size", "Write a whole number here."]
    ]  # fmt: skip
    staff.client.cookies["django_language"] = "zh-hant"
    page = texts(staff.client.get(r["Location"], headers={"Accept-Language": "zh-hant"}))
    assert "請在此填寫整數。" in page and "Write a whole number" not in page


def test_a_double_submitted_upload_makes_one_run(world):
    staff = staff_client(world)
    content = csv_bytes([HEAD, ["P-NEW", "Tea", "T-1", "6"]])
    first, second = _upload(staff, content), _upload(staff, content)
    assert first["Location"] == second["Location"]
    assert ImportRun.objects.count() == 1


def test_the_order_desk_download_keeps_its_filter(world):
    staff = staff_client(world)
    world.client().place(world.order_body(("A-1", 2)))
    desk = texts(staff.client.get("/staff/orders/?status=cancelled"))
    link = re.search(r'href="(/staff/exports/\?kind=orders&amp;format=csv[^"]*)"', desk)
    assert link is not None and "status=cancelled" in link.group(1)
    empty = staff.client.get(link.group(1).replace("&amp;", "&"))
    assert len(csv_rows(b"".join(empty.streaming_content))) == 1  # headings only
    every = staff.client.get("/staff/exports/?kind=orders&format=csv")
    assert len(csv_rows(b"".join(every.streaming_content))) == 2
    xlsx = staff.client.get("/staff/exports/?kind=products&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert staff.client.get("/staff/exports/?kind=secrets&format=csv").status_code == 404
