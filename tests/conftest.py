import pytest

from tests.builders import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def other_world(db: None) -> World:
    return build_world("globex")
