"""An EDI partner over the test world: our GLN, the buyer's, its delivery point, GTINs."""

from pathlib import Path

from dinghuo.edi.models import TradingPartner
from dinghuo.edi.services import partners
from tests.builders import World

MESSAGES = Path(__file__).parent / "messages"
OUR_GLN = "4012345000009"
BUYER_GLN = "5412345000013"
DOCK_GLN = "5412345000020"
GTINS = {
    "A-1": "4006381333931",
    "B-2": "4006381333948",
    "C-3": "4006381333955",
    "D-4": "4006381333962",
}


def fixture(name: str) -> str:
    """A hand-written EANCOM interchange of tests/edi/messages."""
    return (MESSAGES / name).read_text(encoding="latin-1")


def add_partner(world: World, **options: object) -> TradingPartner:
    """The world's company as a trading partner, its ship-to as the delivery point DOCK_GLN,
    and GTINs on its SKUs."""
    for code, gtin in GTINS.items():
        sku = world.skus[code]
        sku.gtin = gtin
        sku.save(update_fields=["gtin"])
    return partners.create_partner(
        tenant_id=world.tenant.pk,
        name="Harbour Hardware",
        gln=BUYER_GLN,
        company_id=world.company.pk,
        our_gln=OUR_GLN,
        ship_tos=[partners.ShipTo(DOCK_GLN, world.ship_to.pk)],
        **options,  # type: ignore[arg-type]
    )
