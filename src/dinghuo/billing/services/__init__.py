"""Billing writes, one module per use case: issuing invoices (per shipment, or per company
per period), credit notes, payments and refunds, bank statements and their reconciliation,
card payments through a gateway, the seller's billing policy. Each is one transaction with its
events; the lock order is in `balances`."""

from dinghuo.billing.services.bank import Imported, ignore_line, import_statement, match_line
from dinghuo.billing.services.cards import (
    handle_gateway_event,
    refresh_card_payment,
    settle_manually,
    start_card_payment,
)
from dinghuo.billing.services.credit_notes import CreditUnits, issue_credit_note
from dinghuo.billing.services.invoicing import (
    Billed,
    bill_shipment,
    issue_company_period,
    issue_period_invoices,
    period_through,
)
from dinghuo.billing.services.payments import Allocate, confirm_covered_orders, record_payment
from dinghuo.billing.services.policy import policy_for, set_billing_policy
from dinghuo.billing.services.refunds import refund
from dinghuo.billing.services.reminders import ReminderRun, languages_of, send_due_reminders

__all__ = [
    "Allocate",
    "Billed",
    "CreditUnits",
    "Imported",
    "ReminderRun",
    "bill_shipment",
    "confirm_covered_orders",
    "handle_gateway_event",
    "ignore_line",
    "import_statement",
    "issue_company_period",
    "issue_credit_note",
    "issue_period_invoices",
    "languages_of",
    "match_line",
    "period_through",
    "policy_for",
    "record_payment",
    "refresh_card_payment",
    "refund",
    "send_due_reminders",
    "set_billing_policy",
    "settle_manually",
    "start_card_payment",
]
