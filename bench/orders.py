"""Random order bodies, the same for the API and for the plain-SQL floor."""

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIXES = ("uniform", "hot")
HOT_SHARE = 0.8
MIN_LINES, MAX_LINES = 5, 15
# Up to 60 units reaches every tier (1, 10, 50), so tier selection is part of the work.
MAX_QUANTITY = 60


@dataclass(frozen=True)
class World:
    """What the loader left in the database, as the drivers need it."""

    token: str
    tenant_id: int
    companies: list[tuple[int, int]]
    skus: list[str]
    hot: list[str]
    max_sku_id: int

    @classmethod
    def read(cls, path: Path) -> "World":
        """The world file written by `bench.load`."""
        data = json.loads(path.read_text())
        return cls(
            token=data["token"],
            tenant_id=data["tenant_id"],
            companies=[(c, s) for c, s in data["companies"]],
            skus=data["skus"],
            hot=data["hot"],
            max_sku_id=data["max_sku_id"],
        )


class OrderMaker:
    """Order bodies with 5–15 distinct SKUs, a random buyer and its ship-to."""

    def __init__(self, world: World, mix: str, seed: int) -> None:
        if mix not in MIXES:
            raise ValueError(f"unknown mix {mix!r}; choose from {MIXES}")
        self.world = world
        self.mix = mix
        self.random = random.Random(seed)
        hot = set(world.hot)
        self.cold = [code for code in world.skus if code not in hot] if mix == "hot" else world.skus

    def body(self) -> dict[str, Any]:
        """One order request body."""
        rnd = self.random
        company, ship_to = rnd.choice(self.world.companies)
        count = rnd.randint(MIN_LINES, MAX_LINES)
        chosen: set[str] = set()
        if self.mix == "hot":
            hot = list(self.world.hot)
            rnd.shuffle(hot)
            wanted_hot = sum(rnd.random() < HOT_SHARE for _ in range(count))
            chosen.update(hot[:wanted_hot])
        while len(chosen) < count:
            chosen.add(rnd.choice(self.cold))
        codes = list(chosen)
        rnd.shuffle(codes)
        return {
            "company_id": company,
            "ship_to_id": ship_to,
            "lines": [{"sku": code, "quantity": rnd.randint(1, MAX_QUANTITY)} for code in codes],
        }
