"""The words of every refusal: one or more ways of saying each error code, to staff and
to buyers (`core.refusals` chooses one and fills it in; its docstring says how)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinghuo.core.errors import FieldError

Audience = Literal["buyer", "staff"]
BUYER: Audience = "buyer"
STAFF: Audience = "staff"

Text = str | Promise


@dataclass(frozen=True)
class Said:
    """One way of saying a code: to staff (and by default), to a buyer if the words differ,
    and when it applies (the `extra` values it names, the field it is about)."""

    staff: Text
    buyer: Text | None = None
    needs: tuple[str, ...] = ()
    field: str | None = None  # the last part of the problem's field (`lines[2].quantity`)

    def applies(self, problem: FieldError) -> bool:
        if self.field is not None and field_name(problem.field) != self.field:
            return False
        return all(problem.extra.get(name) is not None for name in self.needs)

    def text(self, audience: Audience) -> Text:
        return self.buyer if audience == BUYER and self.buyer is not None else self.staff


def say(
    staff: Text, buyer: Text | None = None, *, needs: Iterable[str] = (), field: str | None = None
) -> Said:
    return Said(staff, buyer, tuple(needs), field)


CATALOG: dict[str, tuple[Said, ...]] = {
    # --- any request ---------------------------------------------------------------------
    "bad_request": (say(_("This cannot be done as asked; check what you entered.")),),
    "validation_failed": (say(_("Some of what you entered is not valid; correct it.")),),
    "conflict": (say(_("This cannot be done now; reload the page and try again.")),),
    "forbidden": (say(_("You may not do this.")),),
    "role_forbids": (say(_("Your role does not allow this; ask an owner or a manager.")),),
    "not_found": (say(_("Not found: it may have been removed.")),),
    "busy": (say(_("Someone else is changing this; try again in a moment.")),),
    "rate_limited": (say(_("Too many requests in a short time; wait a minute and try again.")),),
    "precondition_failed": (
        say(_("Someone changed this since you opened it; reload it and make your change again.")),
    ),
    "invalid_transition": (say(_("The order's status does not allow this now.")),),
    "required": (
        say(_("Name the carrier."), field="carrier"),
        say(_("Give the tracking number."), field="tracking_number"),
        say(_("Say why the invoice is credited."), field="reason"),
        say(_("This is required.")),
    ),
    "invalid": (say(_("This value is not valid.")),),
    "invalid_choice": (say(_("Choose one of the options offered.")),),
    "invalid_kind": (say(_("Choose one of the kinds offered.")),),
    "duplicate_id": (say(_("This is given twice.")),),
    "code_taken": (
        say(_("Another SKU of yours has this GTIN."), field="gtin"),
        say(_("This code is already used.")),
    ),
    "duplicate_code": (say(_("This code is given more than once; give each once.")),),
    "invalid_code": (say(_("Use 1 to 32 letters, digits, hyphens or underscores.")),),
    "period_reversed": (say(_("The end must be after the start.")),),
    # --- forms, idempotent posts and the API's keys -----------------------------------------
    "not_a_number": (say(_("Enter a whole number.")),),
    "no_sku": (say(_("Enter a SKU code.")),),
    "idempotency_key_required": (say(_("This form has expired; reload the page.")),),
    "invalid_idempotency_key": (say(_("This form has expired; reload the page.")),),
    "idempotency_key_reused": (
        say(_("This form was already sent with other values; reload the page.")),
    ),
    "invalid_cursor": (say(_("This page link is out of date; start from the first page.")),),
    "insufficient_scope": (say(_("This API key may not do this.")),),
    "invalid_scope": (say(_("Choose among the scopes offered.")),),
    "limit_not_positive": (
        say(_("Allow at least one request a minute, or leave it empty for the default.")),
    ),
    "role_above_own": (
        say(_("You cannot give a role that may do more than yours, nor change such a person.")),
    ),
    "last_owner": (say(_("The last owner stays an owner: make someone else owner first.")),),
    "limit_too_high": (
        say(_("This is more than the highest limit allowed; choose a smaller number.")),
    ),
    "person_of_other_sellers": (
        say(
            _(
                "This person also buys from or works for another seller on this platform: "
                "only the platform's operator can erase them."
            )
        ),
    ),
    "cannot_erase_yourself": (say(_("You cannot erase yourself; ask another owner.")),),
    "already_erased": (say(_("This person is erased already.")),),
    "staff_key_required": (say(_("Only a staff API key may do this.")),),
    "buyer_key_required": (say(_("Only a buyer's API key may do this.")),),
    # --- ordering: lines, parties, credit, stock -----------------------------------------
    "unknown_sku": (say(_("No such SKU of this seller."), _("No such SKU in your catalogue.")),),
    "inactive_sku": (say(_("This SKU can no longer be ordered.")),),
    "duplicate_sku": (say(_("This SKU is on more than one row; put it on one row.")),),
    "quantity_not_positive": (say(_("Enter at least one unit."), _("Order at least one unit.")),),
    "quantity_too_large": (say(_("The quantity is too large.")),),
    "below_minimum": (
        say(_("Order at least %(minimum)s."), needs=["minimum"]),
        say(_("The quantity is below the minimum order quantity.")),
    ),
    "not_pack_multiple": (
        say(_("Comes in packs of %(pack_size)s."), needs=["pack_size"]),
        say(_("Order whole packs.")),
    ),
    "no_price": (
        say(
            _("No price for the company at this quantity: it needs a quote."),
            _("This SKU has no price for your company; ask for a quote."),
        ),
    ),
    "amount_too_large": (say(_("The amount is too large; split the order.")),),
    "insufficient_stock": (
        say(_("Only %(available)s available now."), needs=["available"]),
        say(_("These units are neither reserved nor in stock."), needs=["line_number"]),
        say(_("Not enough stock.")),
    ),
    "no_lines": (say(_("Add at least one line.")),),
    "cart_empty": (say(_("The cart is empty.")),),
    "unknown_ship_to": (
        say(
            _("Choose one of the company's delivery addresses."),
            _("Choose one of your company's delivery addresses."),
        ),
    ),
    "ship_to_required": (say(_("Choose where the order goes.")),),
    "unknown_company": (
        say(_("No such company."), _("Your company cannot order now; please contact the seller.")),
    ),
    "unknown_seller": (
        say(
            _("No such seller, or the company does not buy from it."),
            _("Your company does not buy from this seller."),
        ),
    ),
    "unknown_company_user": (
        say(_("No such user at this company."), _("Your account cannot order for this company.")),
    ),
    "price_list_inactive": (
        say(
            _("The company's price list is inactive: it cannot order now."),
            _("Your company cannot order now; please contact the seller."),
        ),
    ),
    "currency_mismatch": (
        say(
            _("The company buys in %(expected)s."),
            _("Your company now buys in %(expected)s; ask for a new quote."),
            needs=["expected"],
        ),
        say(_("This company buys in another currency than the list's.")),
    ),
    "delivery_date_past": (say(_("Choose a date from today on.")),),
    "exchange_rate_missing": (
        say(
            _(
                "There is no exchange rate from %(currency_name)s to %(base_currency_name)s "
                "for this day yet: set one first."
            ),
            _(
                "This order cannot be placed in %(currency_name)s today: the seller has not "
                "set an exchange rate. Please contact them."
            ),
            needs=["currency_name", "base_currency_name"],
        ),
        say(
            _("There is no exchange rate for this currency yet: set one first."),
            _(
                "This order cannot be placed in your currency today: the seller has not set "
                "an exchange rate. Please contact them."
            ),
        ),
    ),
    "credit_refused": (
        say(
            _("The company's credit does not allow this order now."),
            _("Your company's credit does not allow this order now."),
        ),
    ),
    "over_limit": (
        say(
            _("The order would take the company over its credit limit."),
            _("The order would take your company over its credit limit."),
        ),
    ),
    "overdue": (
        say(_("The company has payments overdue."), _("Your company has payments overdue.")),
    ),
    # --- orders after placing: approvals, lifecycle, fulfilment -----------------------------
    "comment_required": (
        say(
            _("Write a comment: the customer and your colleagues will read it."),
            _("Say why you reject the order."),
        ),
    ),
    "no_pending_approval": (
        say(
            _("Nothing of this order waits for the seller's approval now."),
            _("Nothing of this order waits for your company's approval now."),
        ),
    ),
    "approver_role_required": (
        say(
            _("Only the company's approvers and admins decide its approvals."),
            _("Only your company's approvers and admins decide approvals."),
        ),
    ),
    "own_order": (
        say(
            _("The buyer who placed this order cannot approve it."),
            _("You placed this order: another approver of your company must decide on it."),
        ),
    ),
    "nothing_to_ship": (say(_("No reserved stock is left to ship.")),),
    "unknown_line": (say(_("No such line.")),),
    "duplicate_line": (say(_("This line is given twice.")),),
    "exceeds_open_quantity": (say(_("More than is left to ship on this line.")),),
    "unknown_warehouse": (say(_("No such warehouse.")),),
    # --- stock -----------------------------------------------------------------------------
    "invalid_delta": (say(_("Adjust by a number of units other than zero.")),),
    "reason_required": (say(_("Say why the stock is adjusted.")),),
    "below_reserved": (say(_("On hand cannot fall below the units reserved for orders.")),),
    "too_many_lines": (
        say(_("At most %(limit)s lines at once; send the rest separately."), needs=["limit"]),
        say(_("Too many lines at once; send the rest separately.")),
    ),
    "same_warehouse": (say(_("Choose another warehouse to move to.")),),
    "invalid_priority": (say(_("The priority is out of range.")),),
    "warehouse_code_taken": (say(_("Another warehouse has this code.")),),
    # --- carts, lists, quotes ----------------------------------------------------------------
    "not_list_owner": (say(_("Only the list's owner or a company admin may change it.")),),
    "quote_expired": (
        say(_("This quote has expired."), _("This quote has expired; ask for a new one.")),
    ),
    "negative_price": (say(_("The price cannot be negative.")),),
    "line_not_priced": (
        say(_("Give line %(line_number)s a price."), needs=["line_number"]),
        say(_("Give every line a price.")),
    ),
    "expiry_not_in_future": (say(_("Choose an expiry date in the future.")),),
    "nothing_proposed": (
        say(_("Propose another price or quantity, or write a note to the seller.")),
    ),
    # --- companies, users, addresses, credit -------------------------------------------------
    "company_code_taken": (say(_("Another company has this code.")),),
    "customer_group_code_taken": (say(_("Another customer group has this code.")),),
    "unknown_customer_group": (say(_("No such customer group.")),),
    "unknown_price_list": (say(_("No such price list.")),),
    "parent_cycle": (say(_("A company cannot belong to itself or to one of its members.")),),
    "last_company_admin": (
        say(
            _("This is the company's last active admin; make another user admin first."),
            _("This is your company's last active admin; make another user admin first."),
        ),
    ),
    "company_admin_required": (
        say(
            _("Only the company's admins may do this."),
            _("Only your company's admins may do this."),
        ),
    ),
    "company_user_inactive": (say(_("This user may not sign in; allow them to sign in first.")),),
    "already_a_member": (
        say(
            _("This person is already a user of the company."),
            _("This person is already a user of your company."),
        ),
    ),
    "member_of_another_company": (
        say(_("This person already buys for another company of this seller.")),
    ),
    "already_joined": (say(_("This user has already accepted the invitation.")),),
    "invitation_not_found": (say(_("This invitation is no longer waiting.")),),
    "invitation_not_valid": (
        say(_("This link does not work: it was used, withdrawn, or it has expired.")),
    ),
    "wrong_password": (say(_("The password is not right.")),),
    "already_staff": (say(_("This person is already staff here.")),),
    "cannot_deactivate_yourself": (say(_("You cannot switch yourself off.")),),
    "password_too_weak": (say(_("Choose a longer, less common password.")),),
    "invalid_email": (say(_("Enter an email address.")),),
    "invalid_role": (say(_("Choose a role.")),),
    "invalid_country": (say(_("Enter a two-letter country code, e.g. HK.")),),
    "spending_limit_negative": (say(_("A spending limit cannot be negative.")),),
    "credit_limit_negative": (say(_("A credit limit cannot be negative.")),),
    "unpaid_amount_negative": (say(_("The unpaid amount cannot be negative.")),),
    "too_many_decimals": (
        say(
            _("Too many decimal places for the company's currency."),
            _("Too many decimal places for your currency."),
        ),
    ),
    "invalid_terms": (say(_("Choose prepaid, net or end of month.")),),
    "terms_days_out_of_range": (
        say(_("Days are 0 to %(max)s."), needs=["max"]),
        say(_("The number of days is out of range.")),
    ),
    "grace_days_out_of_range": (
        say(_("Days are 0 to %(max)s."), needs=["max"]),
        say(_("The number of days is out of range.")),
    ),
    "prepaid_has_no_days": (say(_("Prepaid terms take no days: enter 0.")),),
    "oldest_unpaid_due_on_required": (say(_("Give the due date of the oldest unpaid invoice.")),),
    "oldest_unpaid_due_on_unexpected": (say(_("Nothing is unpaid: leave the due date empty.")),),
    "min_amount_negative": (say(_("The amount cannot be negative.")),),
    # --- catalogue ---------------------------------------------------------------------------
    "name_required": (say(_("Give an English name.")),),
    "unknown_category": (say(_("No such category.")),),
    "unknown_parent": (say(_("No such parent category.")),),
    "category_cycle": (say(_("A category cannot sit below itself.")),),
    "unknown_product": (say(_("No such product.")),),
    "must_be_positive": (say(_("Enter at least 1.")),),
    "sku_of_other_product": (say(_("This SKU code belongs to another product.")),),
    "too_many_skus": (say(_("Too many SKUs at once; send fewer.")),),
    # --- prices and promotions ---------------------------------------------------------------
    "invalid_currency": (say(_("Not a currency code (ISO 4217, such as USD or HKD).")),),
    "currency_locked": (say(_("The list has prices in its currency; make a new list instead.")),),
    "invalid_tiers": (say(_("The price tiers are not valid.")),),
    "no_tiers": (say(_("Give at least one tier.")),),
    "tier_below_one": (say(_("The minimum quantity is at least 1.")),),
    "tiers_not_rising": (say(_("Each minimum quantity must be higher than the row above.")),),
    "price_too_large": (say(_("The price is too large.")),),
    "company_or_group": (say(_("Choose a company or a customer group.")),),
    "seller_mismatch": (say(_("This company buys from another seller.")),),
    "already_assigned": (say(_("The list is already offered to them.")),),
    "contract_period_overlap": (say(_("Another contract price covers part of this period.")),),
    "percent_out_of_range": (say(_("The rate is from 0 to 100 percent.")),),
    "period_not_ordered": (say(_("The last day comes before the first.")),),
    "unknown_tax_category": (say(_("No such tax category.")),),
    "tax_rate_overlaps": (say(_("Another rate covers part of this period.")),),
    "tax_rate_in_use": (say(_("Orders were taxed at this rate: end it instead of deleting it.")),),
    "expiry_without_certificate": (
        say(_("An exemption's last day needs its certificate number.")),
    ),
    "no_terms": (say(_("Give a minimum or a pack size.")),),
    "value_not_positive": (say(_("The value must be above 0.")),),
    "percent_above_100": (say(_("At most 100 percent off.")),),
    "value_too_large": (say(_("The value is too large.")),),
    "currency_required": (say(_("An amount off needs a currency.")),),
    "currency_not_allowed": (say(_("A percentage has no currency; leave it empty.")),),
    "no_targets": (say(_("Choose categories or SKUs the promotion takes off.")),),
    # --- billing: payments, refunds, credit notes, the billing policy -------------------------
    "too_long": (
        say(_("At most %(max)s characters."), needs=["max"]),
        say(_("This is too long.")),
    ),
    "amount_not_positive": (say(_("Enter an amount above zero.")),),
    "invalid_method": (say(_("Choose how the money was paid.")),),
    "unknown_order": (
        say(_("No such order of this company."), _("No such order of your company.")),
    ),
    "order_cancelled": (say(_("The order is cancelled.")),),
    "invoice_not_open": (
        say(
            _("This invoice is not open: it is paid already, or not the company's."),
            _("This invoice is paid already."),
        ),
    ),
    "duplicate_invoice": (say(_("This invoice is named twice.")),),
    "exceeds_open_amount": (say(_("More than the invoice still owes.")),),
    "exceeds_payment": (say(_("The amounts for the invoices add up to more than the payment.")),),
    "over_settled": (say(_("The invoice owes less than that now; reload the page.")),),
    "unapplied_credit_exhausted": (
        say(_("The company's unapplied credit changed meanwhile; reload the page.")),
    ),
    "credit_in_other_currency": (
        say(
            _("The company holds credit in another currency; refund or use it first."),
            _("Your company holds credit in another currency; ask the seller to refund it."),
        ),
    ),
    "refund_exceeds_credit": (
        say(_("At most %(refundable)s can be refunded."), needs=["refundable"]),
        say(_("More than the company's credit free to refund.")),
    ),
    "one_mode_required": (
        say(_("Credit the whole invoice, some lines or an amount: one of them.")),
    ),
    "lines_required": (say(_("Enter the units to credit on at least one line.")),),
    "exceeds_uncredited_quantity": (
        say(_("Only %(available)s left to credit on this line."), needs=["available"]),
        say(_("More than is left to credit on this line.")),
    ),
    "exceeds_invoice": (say(_("More than is left to credit on this invoice.")),),
    "invalid_invoicing": (say(_("Choose per shipment, weekly or monthly.")),),
    "invalid_receivables_source": (say(_("Choose where receivables come from.")),),
    "through_in_future": (say(_("Choose today or an earlier day.")),),
    "too_many_reminders": (
        say(_("At most %(max)s reminders."), needs=["max"]),
        say(_("Too many reminders.")),
    ),
    "duplicate_reminder": (say(_("A day is given twice; give each once.")),),
    "reminder_day_out_of_range": (
        say(_("From %(min)s to %(max)s days."), needs=["min", "max"]),
        say(_("The number of days is out of range.")),
    ),
    "invalid_account": (say(_("Give an account name such as Assets:Bank.")),),
    "malformed_statement": (say(_("This file is not a bank statement that can be read.")),),
    "statement_too_large": (say(_("The file is too large; import it a period at a time.")),),
    "bank_line_decided": (say(_("This bank line was matched or set aside meanwhile.")),),
    "bank_line_not_credit": (say(_("Money out cannot be a customer's payment; set it aside.")),),
    "amount_not_chargeable": (say(_("The card payment provider cannot charge this amount.")),),
    "card_payment_processing": (
        say(_("A card payment for this is being processed; wait for its outcome.")),
    ),
    "card_payment_final": (say(_("This card payment is settled already.")),),
    "card_payment_not_manual": (say(_("The card payment provider settles this payment.")),),
    "order_not_awaiting_payment": (say(_("This order does not wait for a payment.")),),
    "gateway_unavailable": (
        say(_("The card payment provider cannot be reached; try again in a moment.")),
    ),
    "gateway_refused": (say(_("The card payment provider refused the payment.")),),
    "invalid_signature": (say(_("This message is not signed by the card payment provider.")),),
    "receivables_from_invoices": (
        say(
            _(
                "Receivables come from the invoices here; choose the sync in the billing "
                "settings to set them from another system."
            )
        ),
    ),
    # --- exchange rates (pricing.services.fx; msgids already translated in the .po) --------
    "base_currency_rate": (say(_("This is your base currency: its rate is always 1.")),),
    "rate_not_positive": (say(_("A rate is a number above zero.")),),
    "rate_too_large": (say(_("This rate is too large.")),),
    "rate_too_precise": (say(_("A rate has at most 10 decimals.")),),
    "duplicate_rate": (say(_("This currency and day are given on an earlier line too.")),),
    "invalid_date": (say(_("Not a day: write it as 2026-03-31.")),),
    "invalid_rate": (say(_("Not a number: write a rate such as 7.8012.")),),
    "missing_column": (say(_("The first line must name the columns date, currency and rate.")),),
    "malformed_csv": (say(_("This line cannot be read as CSV.")),),
    "invalid_encoding": (say(_("Save the file as CSV (UTF-8) and import it again.")),),
    "empty_file": (say(_("The file has no rates.")),),
    "too_many_rows": (say(_("At most 10,000 rates at a time: import the file in parts.")),),
    "request_too_large": (say(_("The file is too large; import it in parts.")),),
    # --- credit terms: deposits -----------------------------------------------------------
    "deposit_percent_out_of_range": (say(_("A deposit is 0 to 100 percent of the order.")),),
    "prepaid_has_no_deposit": (
        say(_("Prepaid terms pay the whole order first: leave the deposit at 0.")),
    ),
    # --- after the order: backorders filled on arrival, short-closing ----------------------
    "nothing_shipped": (
        say(
            _("Nothing of this order has shipped yet; cancel it instead."),
            _("Nothing of this order has shipped yet; ask the seller to cancel it."),
        ),
    ),
    "already_short_closed": (say(_("The rest of this order was cancelled already.")),),
    "priority_group_required": (
        say(_("Choose the customer group whose companies are served first.")),
    ),
    "short_close_reason_required": (say(_("Say why the rest of the order is cancelled.")),),
    # --- amendments ----------------------------------------------------------------------
    "order_not_amendable": (
        say(_("This order has shipped, been delivered or been cancelled: it cannot change.")),
    ),
    "amend_window_closed": (
        say(
            _("The buyer's time to change this order has passed."),
            _("The time to change this order has passed; ask the seller to change it."),
        ),
    ),
    "picking_started": (
        say(
            _("The warehouse has started on this order: only staff can change it now."),
            _("The warehouse has started on this order; ask the seller to change it."),
        ),
    ),
    "buyer_amendments_off": (
        say(
            _("Buyers cannot change their orders: staff change them."),
            _("The seller changes orders; ask them."),
        ),
    ),
    "line_shipped": (
        say(
            _("%(shipped)s units of %(sku)s have shipped: the line cannot go below that."),
            needs=["shipped", "sku"],
        ),
        say(_("Units of this line have shipped: it cannot go below that.")),
    ),
    "nothing_to_amend": (say(_("Change a line or a field: nothing would change.")),),
    "reprice_staff_only": (say(_("Only the seller can reprice an order.")),),
    # --- returns ------------------------------------------------------------------------------
    "order_not_delivered": (say(_("Only goods of a delivered order can be returned.")),),
    "return_window_closed": (say(_("The time for returning goods of this order is over.")),),
    "return_lines_required": (say(_("Enter the units to return on at least one line.")),),
    "unknown_reason": (say(_("Choose one of the reasons.")),),
    "exceeds_returnable_quantity": (
        say(_("At most %(returnable)s units of this line can be returned."), needs=["returnable"]),
        say(_("More than can be returned of this line.")),
    ),
    "invalid_return_status": (say(_("The return's status does not allow this now.")),),
    "exceeds_requested_quantity": (
        say(_("From 0 to the %(requested)s units asked back."), needs=["requested"]),
        say(_("More units than were asked back.")),
    ),
    "unknown_fate": (say(_("Choose what becomes of the units received.")),),
    "line_not_inspected": (
        say(_("Say what arrived of line %(line)s (0 if nothing)."), needs=["line"]),
        say(_("Say what arrived of every line (0 if nothing).")),
    ),
    "quarantine_not_set": (say(_("Choose a quarantine warehouse in the return settings first.")),),
    "return_not_invoiced": (
        say(_("These goods are not invoiced yet: close the return once the invoice is issued.")),
    ),
    "nothing_to_refund": (
        say(_("The credit settled what the company owed: nothing is left to refund.")),
    ),
    "window_out_of_range": (say(_("From 0 to 3650 days.")),),
    "fee_out_of_range": (say(_("A fee is 0 to 100 percent, with at most two decimals.")),),
    "invalid_amount": (say(_("Not a valid amount.")),),
    "quarantine_warehouse_active": (
        say(_("Orders reserve stock from an active warehouse: deactivate it first.")),
    ),
    "return_not_approved": (say(_("The return slip can be printed once the return is approved.")),),
    "photo_required": (say(_("Attach at least one photo.")),),
    "photo_not_image": (say(_("This file is not a photo: send a JPEG, PNG or WebP image.")),),
    "photo_too_large": (
        say(
            _("A photo may be at most %(max_megabytes)s MB and %(max_megapixels)s megapixels."),
            needs=["max_megabytes", "max_megapixels"],
        ),
        say(_("This photo is too large.")),
    ),
    "too_many_photos": (
        say(
            _("At most %(max)s photos a return; %(left)s more can be attached."),
            needs=["max", "left"],
        ),
        say(_("Too many photos for one return.")),
    ),
    "unknown_outcome": (say(_("Choose a credit note or an exchange.")),),
    "replacements_need_exchange": (
        say(_("Replacement goods are for an exchange: choose the exchange, or leave them out.")),
    ),
    "replacements_required": (say(_("Name the replacement goods.")),),
    "too_many_replacements": (say(_("At most 500 replacement items.")),),
    # --- webhooks ---------------------------------------------------------------------------
    "webhook_url_refused": (
        say(_("Webhooks go only to public https addresses, never to this platform itself.")),
    ),
    "webhook_not_paused": (say(_("This webhook is not paused.")),),
    "delivery_pending": (
        say(_("This event is still waiting to be delivered; it goes out without a replay.")),
    ),
    "replay_needs_start": (say(_("Say where the replay starts: a cursor or a moment.")),),
    "too_many_event_types": (say(_("At most 100 event types; use families such as order.*.")),),
    "replay_range_reversed": (say(_("The range must end after it starts.")),),
    "replay_too_large": (say(_("Too many events to replay at once; choose a narrower range.")),),
    # --- bulk import (files of products, prices, stock counts, companies) -----------------
    "unknown_column": (
        say(_("The column “%(heading)s” is not one of this kind of file."), needs=["heading"]),
        say(_("A column is not one of this kind of file.")),
    ),
    "repeated_column": (
        say(_("The column “%(heading)s” is given twice."), needs=["heading"]),
        say(_("A column is given twice.")),
    ),
    "required_column_missing": (
        say(_("The file has no column “%(heading)s”, which is required."), needs=["heading"]),
        say(_("A required column is missing.")),
    ),
    "value_required": (say(_("This cell must have a value.")),),
    "not_whole_number": (say(_("Write a whole number here.")),),
    "not_a_decimal": (say(_("Write a number here (such as 12.50).")),),
    "not_yes_or_no": (say(_("Write yes or no here.")),),
    "not_a_date": (say(_("Write a date here as year-month-day (2026-05-31).")),),
    "text_too_long": (
        say(_("This text is too long: at most %(max)s characters."), needs=["max"]),
        say(_("This text is too long.")),
    ),
    "formula_cell": (
        say(_("This cell holds a formula: copy the column and paste it back as values.")),
    ),
    "duplicate_key": (
        say(_("This row repeats row %(first_row)s; give each once."), needs=["first_row"]),
        say(_("This row repeats an earlier row; give each once.")),
    ),
    "values_differ": (
        say(_("Row %(first_row)s gives another value for the same item."), needs=["first_row"]),
        say(_("Another row gives another value for the same item.")),
    ),
    "file_too_large": (
        say(_("The file is too large: at most %(max_mb)s MB."), needs=["max_mb"]),
        say(_("The file is too large; import it in parts.")),
    ),
    "file_empty": (say(_("The file is empty: it needs a heading row and rows below it.")),),
    "not_utf8": (
        say(
            _(
                "The file is not UTF-8 text: save it as “CSV UTF-8” (or as Excel) and upload "
                "it again."
            )
        ),
    ),
    "zip_bomb": (
        say(
            _(
                "The workbook would unpack too large (over %(max_mb)s MB) or is packed "
                "suspiciously tight; it was not opened."
            ),
            needs=["max_mb"],
        ),
        say(
            _(
                "The workbook would unpack too large or is packed suspiciously tight; it was not "
                "opened."
            )
        ),
    ),
    "not_a_workbook": (say(_("The file is not an Excel workbook (.xlsx) that can be read.")),),
    "too_many_file_rows": (
        say(_("The file has more than %(max)s rows: import it in parts."), needs=["max"]),
        say(_("The file has too many rows: import it in parts.")),
    ),
    "unreadable_csv": (say(_("The file cannot be read as CSV.")),),
    "unknown_import_kind": (say(_("Choose what the file holds.")),),
    "unknown_import_mode": (say(_("Choose a dry run or an apply.")),),
    "negative_count": (say(_("A stock count cannot be below zero.")),),
    "user_of_other_company": (say(_("This email belongs to a user of another company.")),),
    "import_not_checked": (
        say(_("Only an import that was checked without problems can be applied.")),
    ),
    "invalid_gtin": (say(_("A GTIN is 8, 12, 13 or 14 digits ending with its check digit.")),),
    "invalid_gln": (say(_("A GLN is 13 digits ending with its check digit.")),),
    "gln_taken": (say(_("Another trading partner has this GLN.")),),
    "company_has_partner": (say(_("This company already has a trading partner.")),),
    "duplicate_gln": (say(_("This GLN is given twice.")),),
    "unknown_location": (say(_("Choose one of the company's addresses.")),),
    "duplicate_article": (say(_("This article number is given twice.")),),
    "edi_too_large": (say(_("An EDI file is 5 MB at most.")),),
    # --- PunchOut ------------------------------------------------------------------------
    "punchout_identities_taken": (
        say(_("Another procurement connection already has these identities.")),
    ),
    "punchout_user_not_of_company": (
        say(_("The portal user must be a user of the connection's company.")),
    ),
    "punchout_link_unknown": (say(_("This link is not known or no longer works.")),),
    "punchout_link_used": (say(_("This link was used already: each link opens one session.")),),
    "punchout_link_expired": (say(_("This link has expired: it works for five minutes.")),),
    "punchout_session_ended": (
        say(_("This session with your purchasing system has ended; start a new one there.")),
    ),
    "punchout_cart_not_orderable": (
        say(
            _("%(sku)s cannot be ordered as it is; change or remove it first."),
            needs=("sku",),
        ),
        say(_("A line cannot be ordered as it is; change or remove it first.")),
    ),
    # --- tenants, sign-up and branding -------------------------------------------------------
    "tenant_suspended": (
        say(_("This seller's account is suspended. Contact the platform's operator.")),
    ),
    "slug_taken": (say(_("This short name is taken; choose another.")),),
    "invalid_slug": (
        say(_("Use 2 to 50 lower-case letters, digits or hyphens; start with a letter or digit.")),
    ),
    "invalid_languages": (say(_("Choose at least one of the languages offered.")),),
    "invalid_time_zone": (say(_("Choose a time zone such as Asia/Hong_Kong.")),),
    "invalid_colour": (say(_("Give a colour as # and six hexadecimal digits, such as #1f4e79.")),),
    "colour_unreadable": (
        say(_("White text on this colour is hard to read; choose a darker colour.")),
    ),
    "invalid_logo": (say(_("The logo must be a PNG or JPEG image of at most 512 KB.")),),
    "signup_link_invalid": (say(_("This link is not valid or has expired; sign up again.")),),
    "signup_link_used": (say(_("This link was used already: the seller account exists.")),),
    "signup_too_often": (say(_("Too many sign-ups from here. Try again in an hour.")),),
    "invalid_count_status": (say(_("The stock count's status does not allow this now.")),),
    "sku_out_of_scope": (say(_("This SKU is not part of this stock count.")),),
    "count_negative": (say(_("A counted quantity cannot be below zero.")),),
    "image_required": (say(_("Choose a picture to add.")),),
    "not_an_image": (say(_("This file is not an image: send a JPEG, PNG or WebP picture.")),),
    "image_format_unsupported": (
        say(_("This kind of image is not taken: send a JPEG, PNG or WebP picture.")),
    ),
    "image_too_large": (
        say(
            _("A picture may be at most %(max_megabytes)s MB and %(max_megapixels)s megapixels."),
            needs=["max_megabytes", "max_megapixels"],
        ),
        say(_("This picture is too large.")),
    ),
    "too_many_images": (
        say(_("At most %(max)s pictures a product."), needs=["max"]),
        say(_("Too many pictures for one product.")),
    ),
    "image_order_mismatch": (
        say(_("Name each of the product's pictures once, in the new order.")),
    ),
    # --- purchasing: suppliers, reorder rules, purchase orders, receipts ----------------------
    "unknown_currency": (say(_("Give a currency as its three-letter code, such as USD.")),),
    "unknown_supplier": (say(_("No such supplier.")),),
    "supplier_inactive": (say(_("This supplier is inactive; activate it first.")),),
    "supplier_code_taken": (say(_("Another supplier has this code; choose another.")),),
    "supplier_item_exists": (say(_("This supplier already sells this SKU; change that item.")),),
    "reorder_rule_exists": (say(_("A reorder rule was set at the same moment; try again.")),),
    "no_supplier_cost": (
        say(_("The supplier has no cost for this SKU; enter a unit cost or add the item.")),
    ),
    "invalid_cost": (say(_("Enter a cost of zero or more, with at most four decimals.")),),
    "invalid_lead_time": (say(_("Enter a lead time of 0 to 3650 days.")),),
    "invalid_reorder_point": (say(_("Enter a reorder point of zero or more units.")),),
    "invalid_purchasing_policy": (
        say(_("The tolerance is 0 to 100 percent and the window 1 to 365 days.")),
    ),
    "invalid_po_transition": (
        say(_("The purchase order's status does not allow this now; reload the page.")),
    ),
    "po_not_draft": (say(_("Only a draft purchase order can be changed.")),),
    "po_total_too_large": (say(_("The purchase order's total is too large; split it.")),),
    "exceeds_ordered_quantity": (say(_("The supplier cannot confirm more than was ordered.")),),
    "over_delivery": (
        say(_("More than the tolerance allows: at most %(left)s more units."), needs=("left",)),
        say(_("More arrived than the order and its tolerance allow.")),
    ),
}


def field_name(field: str) -> str:
    """`lines[2].quantity` → `quantity`; `terms[0]` → `terms`."""
    return field.rsplit(".", 1)[-1].split("[", 1)[0]
