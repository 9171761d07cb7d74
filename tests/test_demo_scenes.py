"""Which planned orders play the demo's after-sales scenes (`demo/scenes.py`, pure): each in
its span of days, the featured buyer's returnable order first, never an order another rule
took, never a company whose credit the demo shows going wrong; the same plan casts the same."""

from datetime import UTC, datetime, timedelta

from dinghuo.demo import scenes
from dinghuo.orders.states import OrderStatus as S

END = datetime(2026, 6, 30, 12, tzinfo=UTC)


def _history(days: int = 120, every: int = 1) -> tuple[list[str], list[datetime]]:
    """An order every `every` days, oldest first, statuses going round as a history's would."""
    cycle = [S.DELIVERED, S.SHIPPED, S.CONFIRMED, S.CANCELLED, S.PARTIALLY_SHIPPED, S.PLACED]
    count = days // every
    plan = [cycle[n % len(cycle)] for n in range(count)]
    moments = [END - timedelta(days=days - n * every) for n in range(count)]
    return plan, moments


def _cast(plan, moments, **given):
    arguments = {"taken": set(), "featured": [4, 7], "avoided": {2}, "buyer_count": 10}
    return scenes.cast_scenes(plan, moments, END, **{**arguments, **given})


def test_every_scene_is_cast_in_its_span_with_the_status_it_needs():
    plan, moments = _history()
    cast = _cast(plan, moments)
    played = {}
    for n, name in cast.played.items():
        played.setdefault(name, []).append(n)
        scene = scenes.SCENES[name]
        days_before = (END - moments[n]).days
        assert scene.days[1] <= days_before <= scene.days[0], (name, days_before)
        assert plan[n] == scene.becomes
    assert sorted(played) == sorted([scenes.RETURNABLE, *scenes.ORDER])
    assert len(played[scenes.RETURNABLE]) == 3  # two featured buyers and one more
    assert sorted(cast.buyers.values()) == [4, 7]


def test_the_first_featured_buyer_comes_first_and_avoided_companies_never_play():
    plan, moments = _history(every=7)  # few recent orders: the returns scenes take most
    cast = _cast(plan, moments, featured=[2, 7, 4])  # 2 is avoided
    (returnable,) = [n for n, name in cast.played.items() if name == scenes.RETURNABLE]
    assert cast.buyers == {returnable: 7}
    assert {scenes.RETURN_REQUESTED, scenes.RETURN_APPROVED} <= set(cast.played.values())
    assert cast.buyer(returnable, drawn=5) == 7
    others = [n for n in cast.played if n != returnable]
    assert others and all(cast.buyer(n, drawn=2) == 3 for n in others)  # the next regular one
    assert cast.buyer(others[0], drawn=9) == 9
    unplayed = next(n for n in range(len(plan)) if n not in cast.played)
    assert cast.buyer(unplayed, drawn=2) == 2  # orders without a scene keep who drew them


def test_orders_other_rules_took_are_left_alone_and_the_same_plan_casts_the_same():
    plan, moments = _history()
    first = _cast(list(plan), moments)
    taken = set(first.played)
    again = _cast(list(plan), moments)
    assert (again.played, again.buyers) == (first.played, first.buyers)
    other = _cast(list(plan), moments, taken=taken)
    assert not set(other.played) & taken


def test_nothing_to_cast_on_an_empty_history():
    cast = _cast([], [])
    assert (cast.played, cast.buyers) == ({}, {})
