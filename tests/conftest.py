from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.utils import translation

from tests.builders import World, build_world
from tests.mailbox import inbox  # noqa: F401 (a real SMTP server, for every test that mails)


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    """Pages in Chinese need the compiled message catalogs (built from the .po in git)."""
    from tests.catalogs import use_compiled_catalogs

    use_compiled_catalogs()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def other_world(db: None) -> World:
    return build_world("globex")


@pytest.fixture(scope="session", autouse=True)
def _media_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploaded files (return photos) go to a folder of the test run, never to var/; set
    for the whole session, so data made by module-wide fixtures finds its files too."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="session", autouse=True)
def _api_rate_limits_out_of_the_way() -> Iterator[None]:
    """The suite sends thousands of API requests a minute with one key (the fuzz tests):
    limits no test meets unless it sets its own (tests/api/test_rate_limits.py)."""
    with override_settings(
        DINGHUO_API_READS_PER_MINUTE=1_000_000,
        DINGHUO_API_WRITES_PER_MINUTE=1_000_000,
        DINGHUO_API_ANONYMOUS_PER_MINUTE=1_000_000,
    ):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate their language in this thread; each test starts from the default."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _an_empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: a tenant's id comes back in the next test's
    database, and its cached page brand (or rate-limit count) must not."""
    from django.core.cache import cache

    cache.clear()
    yield
