"""PunchOut writes, one module per use case: connections (staff set-up), sessions (setup,
start page, cart transfer) and ordering (the OrderRequest placed as an order)."""

from dinghuo.punchout.services.connections import (
    Identities,
    IssuedSecret,
    create_connection,
    renew_secret,
    update_connection,
)
from dinghuo.punchout.services.ordering import Placed, place_purchase_order
from dinghuo.punchout.services.sessions import (
    Entered,
    Started,
    Transfer,
    enter_session,
    start_session,
    transfer_cart,
)

__all__ = [
    "Entered",
    "Identities",
    "IssuedSecret",
    "Placed",
    "Started",
    "Transfer",
    "create_connection",
    "enter_session",
    "place_purchase_order",
    "renew_secret",
    "start_session",
    "transfer_cart",
    "update_connection",
]
