"""Receiving an interchange of ORDERS: every message becomes an order through the placing
service the API uses, or the interchange is refused whole with its reasons. One transaction:

    read (envelope, counts) → the partner (locked) → the same interchange before? →
    recipient, parties, articles, quantities → place every order (a savepoint) → answer

The interchange is kept whatever happens, with its raw text, status and reasons. A partner
that is known and addressed us correctly gets an order response (ORDRSP) per message, also
for a refusal. The same interchange again (same sender, reference and text) changes nothing
and answers what it answered the first time; the same reference with other text is refused.
Test mode (the partner's, or the UNB test indicator): the orders are placed in a savepoint
that is then rolled back, so the answer says exactly what would happen while stock, credit,
orders and events stay untouched.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction

from dinghuo.edi.models import EdiMessage, TradingPartner
from dinghuo.edi.orders_in import OrdersDocument, read_orders
from dinghuo.edi.services import placing
from dinghuo.edi.services.messages import keep, send_answers
from dinghuo.edi.syntax import Interchange, Problem, Refused, read_interchange

# Refusals that get no EDI answer: we do not know whom to answer, or must not.
_UNANSWERED = {
    "edi_unreadable",
    "edi_unknown_partner",
    "edi_partner_inactive",
    "edi_wrong_recipient",
    "edi_duplicate_interchange",
}


@dataclass(frozen=True)
class Received:
    message: EdiMessage
    created: bool  # False: this interchange came before and its first answer stands


def fingerprint(text: str) -> str:
    """The SHA-256 of the interchange's text: what makes a resend "the same"."""
    return hashlib.sha256(text.encode()).hexdigest()


def receive_interchange(*, tenant_id: int, text: str, source: str) -> Received:
    """Read, check and place the orders of one interchange (see the module's docstring);
    returns the kept message, whose status and reasons say what became of it."""
    with transaction.atomic():
        return _receive(tenant_id, text, source)


def _receive(tenant_id: int, text: str, source: str) -> Received:
    digest = fingerprint(text)
    interchange: Interchange | None
    problems: list[Problem] = []
    try:
        interchange = read_interchange(text)
    except Refused as refused:
        interchange, problems = refused.interchange, refused.problems
    if interchange is None:
        prior = EdiMessage.objects.filter(
            tenant_id=tenant_id, direction="in", sender="", content_hash=digest
        ).first()
        if prior is not None:
            return Received(prior, False)
        return Received(keep(tenant_id, None, text, digest, source, None, problems), True)
    partner = (
        TradingPartner.objects.select_for_update()
        .filter(tenant_id=tenant_id, gln=interchange.sender)
        .first()
    )
    prior = (
        EdiMessage.objects.filter(
            tenant_id=tenant_id,
            direction="in",
            sender=interchange.sender,
            interchange_ref=interchange.ref,
        )
        .order_by("id")
        .first()
    )
    if prior is not None:
        if prior.content_hash == digest:
            return Received(prior, False)
        problems = [_reused(interchange)]
    problems = problems or _partner_problems(partner, interchange)
    if problems:
        return Received(
            _refuse(tenant_id, partner, text, digest, source, interchange, problems), True
        )
    assert partner is not None
    return Received(_process(partner, interchange, text, digest, source), True)


def _reused(interchange: Interchange) -> Problem:
    return Problem(
        "edi_duplicate_interchange",
        f"Interchange {interchange.ref} from {interchange.sender} came before with other "
        "content; give every interchange a new reference.",
    )


def _partner_problems(partner: TradingPartner | None, interchange: Interchange) -> list[Problem]:
    """The sender must be a known, active partner of this tenant (another tenant's partner is
    as unknown as any), and the interchange addressed to our GLN towards it."""
    if partner is None:
        return [
            Problem(
                "edi_unknown_partner",
                f"No trading partner has the GLN {interchange.sender} (UNB sender).",
            )
        ]
    if not partner.is_active:
        return [Problem("edi_partner_inactive", f"Trading partner {partner.gln} is inactive.")]
    if interchange.recipient != partner.our_gln:
        return [
            Problem(
                "edi_wrong_recipient",
                f"The interchange is addressed to {interchange.recipient or 'nobody'}; "
                f"our GLN is {partner.our_gln}.",
            )
        ]
    return []


def _refuse(
    tenant_id: int,
    partner: TradingPartner | None,
    text: str,
    digest: str,
    source: str,
    interchange: Interchange,
    problems: list[Problem],
) -> EdiMessage:
    """Keep the refused interchange; answer each of its orders when we may."""
    message = keep(tenant_id, partner, text, digest, source, interchange, problems)
    if partner is None or problems[0].code in _UNANSWERED:
        return message
    reasons = [p.text for p in problems]
    docs = [read_orders(m) for m in interchange.messages]
    answers = [placing.refused_answer(partner, doc, reasons) for doc in docs]
    send_answers(message, partner, answers, test=interchange.test or partner.test_mode)
    return message


def _process(
    partner: TradingPartner, interchange: Interchange, text: str, digest: str, source: str
) -> EdiMessage:
    test = interchange.test or partner.test_mode
    docs: list[OrdersDocument] = [read_orders(m) for m in interchange.messages]
    plans = placing.plan_orders(partner, docs)
    message = keep(partner.tenant_id, partner, text, digest, source, interchange, [])
    problems = placing.place_all(partner, plans, message, test=test)
    message.problems = [p.as_json() for p in problems]
    if any(not plan.answer.placed for plan in plans):
        message.status = EdiMessage.Status.REJECTED
        message.reason_code, message.reason = problems[0].code, problems[0].text
    elif test:
        message.status = EdiMessage.Status.TESTED
        message.reason = "Test: read and answered; no order was placed."
    else:
        message.status = EdiMessage.Status.ACCEPTED
    message.save(update_fields=["status", "reason_code", "reason", "problems"])
    send_answers(message, partner, [plan.answer for plan in plans], test=test)
    return message
