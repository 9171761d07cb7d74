"""The API rate limits page: owners only; the defaults shown; each limit from 1 to 100,000
a minute (one past either end refused on its field, nothing saved); "Back to the defaults"."""

import pytest

from dinghuo.core.models import TenantApiLimits
from tests.backoffice.staffing import csrf_post, staff_client

PAGE = "/staff/settings/api-limits/"
EMPTY = {"reads_per_minute": "", "writes_per_minute": "", "per_address_per_minute": ""}


def stored(world) -> tuple[int | None, int | None, int | None] | None:
    row = TenantApiLimits.objects.filter(tenant=world.tenant).first()
    if row is None:
        return None
    return row.reads_per_minute, row.writes_per_minute, row.per_address_per_minute


def test_the_page_shows_the_defaults_it_replaces(world, settings):
    settings.DINGHUO_API_READS_PER_MINUTE = 600
    settings.DINGHUO_API_WRITES_PER_MINUTE = 1200
    olga = staff_client(world, "olga@seller.test")

    html = olga.client.get(PAGE).content.decode()

    assert "Leave empty for the default: 600 a minute." in html
    assert "Leave empty for the default: 1,200 a minute." in html
    assert "Leave empty for no limit of its own: each key's limits apply." in html
    assert "From 1 to 100,000." in html


def test_an_owner_sets_the_limits_and_sees_them_again(world):
    olga = staff_client(world, "olga@seller.test")
    values = {"reads_per_minute": "300", "writes_per_minute": "40", "per_address_per_minute": ""}

    r = csrf_post(olga.client, PAGE, values)

    assert r.status_code == 302 and r["Location"] == PAGE
    assert stored(world) == (300, 40, None)
    html = olga.client.get(PAGE).content.decode()
    assert 'name="reads_per_minute" value="300"' in html


@pytest.mark.parametrize(
    "field", ["reads_per_minute", "writes_per_minute", "per_address_per_minute"]
)
def test_the_smallest_and_largest_limits_are_taken(world, field):
    olga = staff_client(world, "olga@seller.test")
    for value in (1, 100_000):
        r = csrf_post(olga.client, PAGE, EMPTY | {field: str(value)})
        assert r.status_code == 302
        assert value in stored(world)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("0", "Allow at least one request a minute, or leave it empty for the default."),
        ("100001", "This is more than the highest limit allowed; choose a smaller number."),
        ("-5", "Allow at least one request a minute, or leave it empty for the default."),
    ],
)
@pytest.mark.parametrize(
    "field", ["reads_per_minute", "writes_per_minute", "per_address_per_minute"]
)
def test_one_past_either_end_is_refused_on_its_field(world, field, value, said):
    olga = staff_client(world, "olga@seller.test")
    csrf_post(olga.client, PAGE, EMPTY | {"reads_per_minute": "50"})

    r = csrf_post(olga.client, PAGE, EMPTY | {"writes_per_minute": "7"} | {field: value})

    assert r.status_code == 422
    assert f'data-testid="error-{field}">{said}' in r.content.decode().replace("&#x27;", "'")
    assert stored(world) == (50, None, None)  # the valid "7" beside it is not saved either


def test_words_instead_of_a_number_are_a_form_error(world):
    olga = staff_client(world, "olga@seller.test")
    r = csrf_post(olga.client, PAGE, EMPTY | {"reads_per_minute": "many"})
    assert r.status_code == 422 and 'data-testid="error-reads_per_minute"' in r.content.decode()
    assert stored(world) is None


def test_back_to_the_defaults(world):
    olga = staff_client(world, "olga@seller.test")
    csrf_post(olga.client, PAGE, {"reads_per_minute": "5", "writes_per_minute": "6"})

    r = csrf_post(olga.client, PAGE, {"reads_per_minute": "5", "reset": "1"}, follow=True)

    assert "The defaults apply again." in [str(m) for m in r.context["messages"]]
    assert stored(world) == (None, None, None)


@pytest.mark.parametrize("role", ["manager", "sales", "read_only"])
def test_only_owners_open_or_change_it(world, role):
    other = staff_client(world, f"{role}@seller.test", role=role)
    assert other.client.get(PAGE).status_code == 403
    assert csrf_post(other.client, PAGE, {"reads_per_minute": "1"}).status_code == 403
    assert stored(world) is None
    assert "/staff/settings/api-limits/" not in other.client.get("/staff/").content.decode()
