import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only test: run with DATABASE_URL=postgres://… (make test does)")
