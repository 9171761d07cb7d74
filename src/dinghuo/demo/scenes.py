"""Which planned orders play the demo's after-sales scenes (`after_sales` plays them). Pure:
the plan (each order's status, oldest first), the moments they are placed at, the end, and
which buyers are featured or avoided; no database.

Each scene takes a planned order placed within its span of days before the end, of a status
it may take (preferred first, then the latest), and plans it as the status it needs:
- returnable: delivered days ago and nothing asked back, so a buyer can ask at once; one for
  each featured buyer (the sign-ins `dinghuo demo` prints, first one first) and one more;
- return requested / approved: delivered within the window and asked back in the last days:
  one waits for a clerk, one is approved and waits for the goods;
- return closed / rejected: delivered one or two months ago: one came back (part restocked,
  part scrapped) and was credited, one was rejected with a comment;
- backorder filled: a confirmed order with a line waiting for stock, served by itself when
  the supplier's delivery arrives;
- short-closed: a partially shipped order whose rest the customer no longer wants.
Scenes take only orders no earlier rule took (`casting`), and their orders go to companies
whose credit nothing stops (not the ones `terms.Specials` shows going wrong or paying first).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dinghuo.orders.states import OrderStatus as S

RETURNABLE = "returnable"
RETURN_REQUESTED = "return_requested"
RETURN_APPROVED = "return_approved"
RETURN_CLOSED = "return_closed"
RETURN_REJECTED = "return_rejected"
BACKORDER_FILLED = "backorder_filled"
SHORT_CLOSED = "short_closed"
DELIVERED_SCENES = frozenset(
    {RETURNABLE, RETURN_REQUESTED, RETURN_APPROVED, RETURN_CLOSED, RETURN_REJECTED}
)
FEATURED_AT_MOST = 3  # returnable orders given to featured buyers


@dataclass(frozen=True)
class Scene:
    name: str
    days: tuple[int, int]  # placed between this many days before the end (earliest first)
    becomes: str  # the status the scene needs its order to reach
    takes: tuple[str, ...]  # planned statuses it may take, the cheapest to change first


# Delivered scenes take confirmed orders before shipped ones: the history keeps some of each.
_TO_DELIVER = (S.DELIVERED, S.CONFIRMED, S.SHIPPED, S.CANCELLED, S.PLACED)
# Delivered at least a day or so before the end (nothing happens later than now), early
# enough in the window that a month's window is still open for weeks.
_RECENT = (25, 6)
SCENES = {
    RETURNABLE: Scene(RETURNABLE, _RECENT, S.DELIVERED, _TO_DELIVER),
    RETURN_REQUESTED: Scene(RETURN_REQUESTED, (32, 9), S.DELIVERED, _TO_DELIVER),
    RETURN_APPROVED: Scene(RETURN_APPROVED, (32, 9), S.DELIVERED, _TO_DELIVER),
    RETURN_CLOSED: Scene(RETURN_CLOSED, (75, 30), S.DELIVERED, _TO_DELIVER),
    RETURN_REJECTED: Scene(RETURN_REJECTED, (75, 30), S.DELIVERED, _TO_DELIVER),
    BACKORDER_FILLED: Scene(
        BACKORDER_FILLED, (60, 14), S.CONFIRMED, (S.CONFIRMED, S.SHIPPED, S.DELIVERED)
    ),
    # A shipped order planned as partly shipped: the history keeps its partly shipped ones.
    SHORT_CLOSED: Scene(
        SHORT_CLOSED, (70, 12), S.PARTIALLY_SHIPPED, (S.SHIPPED, S.DELIVERED, S.CONFIRMED)
    ),
}
# The order scenes are cast in: when orders are few, the first ones matter most.
ORDER = (
    RETURN_REQUESTED,
    RETURN_APPROVED,
    RETURN_CLOSED,
    RETURN_REJECTED,
    BACKORDER_FILLED,
    SHORT_CLOSED,
)


@dataclass
class Scenes:
    """The scenes cast (plan index → scene) and who places their orders."""

    played: dict[int, str] = field(default_factory=dict)
    buyers: dict[int, int] = field(default_factory=dict)  # plan index → featured buyer index
    regular: list[int] = field(default_factory=list)  # buyer indices a scene's order may go to

    def buyer(self, n: int, drawn: int) -> int:
        """Who places order `n`: its featured buyer, else the one drawn unless the order plays
        a scene and the drawn company is avoided (then the next regular one)."""
        if n in self.buyers:
            return self.buyers[n]
        if n not in self.played or drawn in self.regular or not self.regular:
            return drawn
        return next((i for i in self.regular if i > drawn), self.regular[0])


def _take(
    plan: list[str], moments: list[datetime], end: datetime, scene: Scene, busy: set[int]
) -> int | None:
    """The order scene takes (None: none fits); its planned status becomes the scene's."""
    since, until = (end - timedelta(days=d) for d in scene.days)
    fits = [
        n
        for n, status in enumerate(plan)
        if n not in busy and status in scene.takes and since <= moments[n] <= until
    ]
    if not fits:
        return None
    n = min(fits, key=lambda n: (scene.takes.index(plan[n]), -n))
    plan[n] = scene.becomes
    busy.add(n)
    return n


def cast_scenes(
    plan: list[str],
    moments: list[datetime],
    end: datetime,
    *,
    taken: set[int],
    featured: list[int],
    avoided: set[int],
    buyer_count: int,
) -> Scenes:
    """Cast the scenes on orders not in `taken` (changes their planned status in `plan`):
    the first featured buyer's returnable order first, then `ORDER`, then the other featured
    buyers' and one more returnable order."""
    busy = set(taken)
    scenes = Scenes(regular=[i for i in range(buyer_count) if i not in avoided])
    wanted = [i for i in featured if i not in avoided][:FEATURED_AT_MOST]
    casting: list[tuple[str, int | None]] = [(RETURNABLE, i) for i in wanted[:1]]
    casting += [(name, None) for name in ORDER]
    casting += [(RETURNABLE, i) for i in wanted[1:]] + [(RETURNABLE, None)]
    for name, buyer in casting:
        n = _take(plan, moments, end, SCENES[name], busy)
        if n is None:
            continue
        scenes.played[n] = name
        if buyer is not None:
            scenes.buyers[n] = buyer
    return scenes
