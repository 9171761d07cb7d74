"""A large product file with errors in 1% of its rows: every one reported, nothing applied;
the fixed file then applies. 10,000 rows here (the suite stays quick); the benchmark
(`bench/bulk_import.py`) imports 100,000."""

import pytest
from bench.bulk_import import csv_file, product_rows

from dinghuo.catalog.models import Category, Product, Sku
from tests.bulk.helpers import footprint, imported

# The worker runs as in production: outside the test's transaction (it closes connections
# left inside one), so these tests commit and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 10_000


def test_every_error_of_a_large_file_is_reported_and_nothing_applied_until_fixed(world):
    Category.objects.create(tenant=world.tenant, code="tea", name_en="Tea")
    before = footprint(world.tenant.pk), Sku.objects.count()
    run = imported(world, "products", csv_file(product_rows(ROWS, bad_every=100)), mode="apply")
    assert run["state"] == "refused"
    assert run["problem_count"] == ROWS // 100
    found = {(p["row"], p["column"], p["code"]) for p in run["problems"]}
    expected = set()
    for i in range(99, ROWS, 100):
        flaw, row = (i // 100) % 4, i + 2  # the heading is row 1
        expected.add({
            0: (row, "Pack size", "not_whole_number"),
            1: (row, "Product name (English)", "name_required"),
            2: (row, "SKU code", "duplicate_key"),
            3: (row, "Category code", "unknown_category"),
        }[flaw])  # fmt: skip
    assert found == expected
    assert (footprint(world.tenant.pk), Sku.objects.count()) == before

    fixed = imported(world, "products", csv_file(product_rows(ROWS)), mode="apply", key="fixed")
    assert (fixed["state"], fixed["problem_count"]) == ("applied", 0)
    assert Product.objects.filter(code__startswith="P-").count() == ROWS + 4
    assert fixed["summary"]["skus_created"] == ROWS
