"""Keeping messages: every interchange received (with what became of it) and every one
prepared for a partner (an order response, a despatch advice, an invoice), each recorded as
an event. Outgoing messages wait as `ready` until the outbox job writes them."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from pydifact.segments import Segment

from dinghuo.core import clock
from dinghuo.edi import answers as ans
from dinghuo.edi.models import EdiMessage, TradingPartner
from dinghuo.edi.services.partners import take_references
from dinghuo.edi.syntax import Interchange, Problem, write_interchange
from dinghuo.integrations import events


def _event(message: EdiMessage, type: str) -> None:
    events.record(
        events.new(
            message.tenant_id,
            type,
            "edi_message",
            message.pk,
            {
                "kind": message.kind,
                "direction": message.direction,
                "status": message.status,
                "partner": message.partner.gln if message.partner else None,
                "interchange": message.interchange_ref,
                "reason_code": message.reason_code,
                "test": message.is_test,
            },
        )
    )


def keep(
    tenant_id: int,
    partner: TradingPartner | None,
    text: str,
    digest: str,
    source: str,
    interchange: Interchange | None,
    problems: list[Problem],
) -> EdiMessage:
    """Keep an interchange received: rejected with its problems, or (none yet) accepted, the
    status then set by the caller once its orders are placed."""
    message = EdiMessage.objects.create(
        tenant_id=tenant_id,
        partner=partner,
        direction=EdiMessage.Direction.IN,
        kind=interchange.messages[0].type[:6] if interchange and interchange.messages else "",
        status=EdiMessage.Status.REJECTED if problems else EdiMessage.Status.ACCEPTED,
        sender=interchange.sender[:35] if interchange else "",
        recipient=interchange.recipient[:35] if interchange else "",
        interchange_ref=interchange.ref[:14] if interchange else "",
        is_test=bool(interchange and (interchange.test or (partner and partner.test_mode))),
        raw=text,
        content_hash=digest,
        source=source[:300],
        reason_code=problems[0].code if problems else "",
        reason=problems[0].text if problems else "",
        problems=[p.as_json() for p in problems],
        created_at=clock.now(),
    )
    _event(message, "edi_message.received")
    return message


def prepare(
    partner: TradingPartner,
    kind: str,
    identifier: list[str],
    bodies: list[list[Segment]],
    *,
    test: bool,
    source: str,
    now: datetime | None = None,
) -> EdiMessage:
    """An interchange of `bodies` (each one message of `kind`) for the partner, with the next
    references, kept as ready for its outbox."""
    now = now or clock.now()
    interchange_ref, first_ref = take_references(partner.pk, len(bodies))
    ref = str(interchange_ref)
    text = write_interchange(
        sender=partner.our_gln,
        recipient=partner.gln,
        ref=ref,
        prepared_at=now,
        test=test,
        messages=[(str(first_ref + i), identifier, body) for i, body in enumerate(bodies)],
    )
    message = EdiMessage.objects.create(
        tenant_id=partner.tenant_id,
        partner=partner,
        direction=EdiMessage.Direction.OUT,
        kind=kind,
        status=EdiMessage.Status.READY,
        sender=partner.our_gln,
        recipient=partner.gln,
        interchange_ref=ref,
        is_test=test,
        raw=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        source=source[:300],
        created_at=now,
    )
    _event(message, "edi_message.prepared")
    return message


def send_answers(
    received: EdiMessage, partner: TradingPartner, answers: list[ans.OrderAnswer], *, test: bool
) -> EdiMessage:
    """The order responses to `received`, in one interchange, linked to it as its answer."""
    now = clock.now()
    bodies = [ans.order_response(answer, now) for answer in answers]
    answer = prepare(
        partner,
        "ORDRSP",
        ans.ORDRSP,
        bodies,
        test=test,
        source=f"answer to interchange {received.interchange_ref}",
        now=now,
    )
    received.answer = answer
    received.save(update_fields=["answer"])
    return answer


def send_ready(limit: int, write: Callable[[EdiMessage], None]) -> int:
    """Hand up to `limit` ready messages to `write` (their outbox), oldest first, and mark
    them sent; rows locked with SKIP LOCKED, so two workers never send one twice. A failed
    write rolls the batch back: those messages stay ready."""
    with transaction.atomic():
        ready = list(
            EdiMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=EdiMessage.Status.READY, direction=EdiMessage.Direction.OUT)
            .select_related("partner", "tenant")
            .order_by("id")[:limit]
        )
        now = clock.now()
        for message in ready:
            write(message)
            message.status, message.sent_at = EdiMessage.Status.SENT, now
        EdiMessage.objects.bulk_update(ready, ["status", "sent_at"])
        for message in ready:
            _event(message, "edi_message.sent")
    return len(ready)
