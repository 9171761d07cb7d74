"""Billing over HTTP: invoices, credit notes, the period's invoicing run, payments, refunds,
balances, bank statements and their reconciliation, statements of account and the aging of
receivables, the accounting export, card payments and the payment gateway's webhook, the
seller's billing policy
(staff routes), and a company's own invoices, credit notes, statement, balance and card
payments (buyer routes, /my).

`router` and `buyer_router` carry no tags of their own: each module's router has its tag, so
that an operation is tagged once."""

from ninja import Router

from dinghuo.billing.api import (
    accounting,
    bank,
    cards,
    invoices,
    my,
    payments,
    policy,
    statements,
)

router = Router()
router.add_router("", invoices.router)
router.add_router("", payments.router)
router.add_router("", policy.router)
router.add_router("", bank.router)
router.add_router("", statements.router)
router.add_router("", cards.router)
router.add_router("", accounting.router)

buyer_router = Router()
buyer_router.add_router("", my.router)
buyer_router.add_router("", statements.buyer_router)
buyer_router.add_router("", cards.buyer_router)
