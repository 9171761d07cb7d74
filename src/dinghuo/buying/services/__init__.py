"""Buying writes, one module per use case: carts and their checkout, requisition (saved)
lists, repricing earlier lines into a cart (reorder, a saved list), and quotes (RFQ).

Every line is judged by `orders.queries.check_lines`, the check placing an order makes, so a
cart never holds a line that could not have been ordered when it was added, and a quote never
asks for a SKU the company may not buy. Each service is one transaction; quotes record their
events on the quote (aggregate "quote"), carts and lists record none (they are drafts).

A cart belongs to a company, a seller (the seller of the company's base price list) and an
owner: the company user who fills it, or nobody for the cart seller staff fill on the
company's behalf (`services.locking` finds and locks it).
"""

from dinghuo.buying.services.carts import (
    add_to_cart,
    checkout_cart,
    remove_from_cart,
    set_cart_quantity,
)
from dinghuo.buying.services.countering import CounterLine, counter_quote
from dinghuo.buying.services.lists import (
    Editor,
    ListLine,
    create_requisition_list,
    delete_requisition_list,
    update_requisition_list,
)
from dinghuo.buying.services.quotes import (
    QuotedLine,
    QuoteLineRequest,
    accept_quote,
    answer_quote,
    decline_quote,
    expire_quotes,
    reject_quote,
    request_quote,
    withdraw_quote,
)
from dinghuo.buying.services.repricing import (
    RepricedLine,
    Repricing,
    add_requisition_list_to_cart,
    reorder,
)

__all__ = [
    "CounterLine",
    "Editor",
    "ListLine",
    "QuoteLineRequest",
    "QuotedLine",
    "RepricedLine",
    "Repricing",
    "accept_quote",
    "add_requisition_list_to_cart",
    "add_to_cart",
    "answer_quote",
    "checkout_cart",
    "counter_quote",
    "create_requisition_list",
    "decline_quote",
    "delete_requisition_list",
    "expire_quotes",
    "reject_quote",
    "remove_from_cart",
    "reorder",
    "request_quote",
    "set_cart_quantity",
    "update_requisition_list",
    "withdraw_quote",
]
