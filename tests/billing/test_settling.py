"""Settling receivables in one guarded statement (`balances.settle_many`, what a run of
payments writes): never below zero, to the cent, all or nothing, and an invoice paid in full
is marked settled once."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from bench.bank_import import world as bank_world
from django.db import transaction

from dinghuo.billing.models import Receivable
from dinghuo.billing.services import balances
from dinghuo.core import clock
from dinghuo.core.errors import Conflict

D = Decimal


@pytest.fixture
def open_two(db: None) -> list[Receivable]:
    """Two open receivables of 100.00 and 110.00 (their base the same)."""
    bank_world(companies=1, per_company=2)
    return list(Receivable.objects.order_by("id"))


def _state() -> list[tuple[Decimal, Decimal, datetime | None]]:
    rows = Receivable.objects.order_by("id").values_list("open_amount", "open_base", "settled_at")
    return list(rows)


def test_parts_lower_what_is_open_and_a_paid_invoice_is_settled(open_two):
    first, second = open_two
    paid_at = datetime(2026, 3, 5, 10, tzinfo=UTC)
    with clock.as_of(paid_at):
        balances.settle_many({first.pk: (D("99.99"), D("99.98")), second.pk: (D("110"), D("110"))})
    assert _state() == [(D("0.01"), D("0.02"), None), (D(0), D(0), paid_at)]
    with clock.as_of(datetime(2026, 3, 6, tzinfo=UTC)):
        balances.settle_many({first.pk: (D("0.01"), D("0.02"))})
    assert _state()[0] == (D(0), D(0), datetime(2026, 3, 6, tzinfo=UTC))


def test_one_cent_more_than_is_open_is_refused_and_nothing_changes(open_two):
    first, second = open_two
    before = _state()
    with pytest.raises(Conflict) as refused, transaction.atomic():
        balances.settle_many({first.pk: (D("50"), D("50")), second.pk: (D("110.01"), D("110"))})
    assert refused.value.code == "over_settled"
    assert _state() == before
    balances.settle(second.pk, D("110.00"), D("110.00"))  # exactly what is open is fine
    assert _state()[1][0] == D(0)
