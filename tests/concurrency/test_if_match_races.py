"""Two clients change the same price list at once, both holding the tag they read, on
PostgreSQL: the rows are locked before the tag is checked, so exactly one change is made
and the other is refused with 412 (no lost update)."""

import json
from collections import Counter

import pytest

from tests.builders import ApiClient, build_world
from tests.concurrency.test_orders_under_contention import run_together

pytestmark = pytest.mark.postgres


def test_of_two_writers_holding_one_tag_exactly_one_wins() -> None:
    world = build_world("etagrace")
    path = f"/price-lists/{world.price_list.pk}"
    outcomes: Counter[int] = Counter()
    for round_ in range(5):
        tag = ApiClient(world.key).get(path)["ETag"]

        def write(i: int, tag: str = tag, round_: int = round_) -> int:
            body = json.dumps({"name": f"Writer {i} round {round_}"})
            response = ApiClient(world.key).send("PATCH", path, body, **{"If-Match": tag})
            return int(response.status_code)

        statuses = run_together(4, write)
        assert sorted(statuses) == [200, 412, 412, 412], statuses
        outcomes.update(statuses)
    assert outcomes == {200: 5, 412: 15}
