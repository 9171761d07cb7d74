"""What the buying routes share: whose cart a request acts on, the channel an order comes
from, and the answer of a reorder or of a saved list added to a cart."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from dinghuo.api.auth import buyer, tenant_id
from dinghuo.api.idempotent import run_create
from dinghuo.buying import queries
from dinghuo.buying.schemas.carts import cart_out, repricing_out
from dinghuo.core.errors import FieldError, ValidationFailed

BUYER_CHANNEL = "api"
STAFF_CHANNEL = "staff"


class WhoseCart:
    """Whose cart a request acts on: the buyer's own, or a company's staff cart."""

    def __init__(self, tenant: int, company_id: int, owner_id: int | None) -> None:
        self.tenant = tenant
        self.company_id = company_id
        self.owner_id = owner_id

    @classmethod
    def of_buyer(cls, request: HttpRequest) -> "WhoseCart":
        """The calling buyer's own cart."""
        caller = buyer(request)
        assert caller.company_id is not None
        return cls(caller.tenant_id, caller.company_id, caller.company_user_id)

    @classmethod
    def of_staff(cls, request: HttpRequest, company_id: int) -> "WhoseCart":
        """The cart staff fill on the company's behalf."""
        return cls(tenant_id(request), company_id, None)

    def answer(self, ship_to_id: int | None = None) -> dict[str, Any]:
        """The cart's JSON body, priced now, with its tax to `ship_to_id` (else to the
        company's first ship-to, as checkout offers it first); 422 `unknown_ship_to` for a
        ship-to that is not one of the company's."""
        if ship_to_id is None:
            first = queries.first_ship_to(self.tenant, self.company_id)
            ship_to_id = first[0] if first else None
        elif not queries.is_ship_to_of(self.tenant, self.company_id, ship_to_id):
            raise ValidationFailed(
                "Not one of the company's ship-to addresses.",
                errors=[
                    FieldError(
                        "ship_to_id", "unknown_ship_to", "Not an active ship-to of this company"
                    )
                ],
            )
        priced = queries.cart(self.tenant, self.company_id, self.owner_id, ship_to_id=ship_to_id)
        return cart_out(self.company_id, priced, ship_to_id)

    def where(self) -> dict[str, Any]:
        """The cart services' keyword arguments naming this cart."""
        return {"tenant_id": self.tenant, "company_id": self.company_id, "owner_id": self.owner_id}


def repriced(
    request: HttpRequest, cart: WhoseCart, key: str | None, body: Any, add: Callable[[], Any]
) -> HttpResponse:
    """Run `add` (lines into the cart) once per idempotency key; answer what it did, line by
    line, and the cart afterwards."""

    def create() -> tuple[int, Any]:
        return 200, repricing_out(add(), cart.answer())

    return run_create(request, key, body, create)
