"""The EDI jobs of `dinghuo worker` (settings.DINGHUO_WORKER_JOBS): each does one bounded
batch and answers how much it did; several workers may run them at once.

Folders under settings.DINGHUO_EDI_ROOT, one per tenant (its slug):
    <slug>/inbox/                  interchanges dropped by the partners' gateway
    <slug>/inbox/processing/       claimed by a worker (an atomic rename: one worker wins)
    <slug>/inbox/processed/, failed/   read: placed (or tested), or refused
    <slug>/outbox/<partner GLN>/   what we send, one file per interchange
A file claimed by a worker that died is given back to the inbox after STALE_SECONDS; reading
it again is safe, since the same interchange answers what it answered the first time.
A suspended seller's inbox is held (left unread, a warning in the log) until reactivation.
"""

import logging
import os
import time
from pathlib import Path

from django.conf import settings

from dinghuo.core.models import Tenant
from dinghuo.edi.models import EdiMessage, TradingPartner
from dinghuo.edi.services import inbound, messages, outbound

log = logging.getLogger("dinghuo.edi")

FILES_PER_ROUND = 20
MESSAGES_PER_ROUND = 100
STALE_SECONDS = 600
MAX_FILE_BYTES = 5 * 1024 * 1024


def tenant_folder(tenant_slug: str) -> Path:
    """The tenant's EDI folder (its inbox and outbox are inside)."""
    return Path(settings.DINGHUO_EDI_ROOT) / tenant_slug


def read_inboxes() -> int:
    """Read up to FILES_PER_ROUND interchanges from the tenants' inboxes."""
    root = Path(settings.DINGHUO_EDI_ROOT)
    if not root.is_dir():
        return 0
    slugs = [p.name for p in root.iterdir() if (p / "inbox").is_dir()]
    done = 0
    tenants = Tenant.objects.filter(slug__in=slugs).values_list("id", "slug", "status")
    for tenant_id, slug, status in tenants:
        if status == Tenant.Status.SUSPENDED:
            _hold(root / slug / "inbox", slug)
            continue
        done += _read_inbox(tenant_id, root / slug / "inbox", FILES_PER_ROUND - done)
        if done >= FILES_PER_ROUND:
            break
    return done


def _hold(inbox: Path, slug: str) -> None:
    """A suspended seller's inbox is left as it is: its files are neither read nor refused
    (nothing of a suspended seller changes) and are read once it is reactivated."""
    waiting = sum(1 for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
    if waiting:
        log.warning(
            "EDI inbox of %s held: the seller is suspended; %s file(s) wait for reactivation",
            slug,
            waiting,
        )


def _read_inbox(tenant_id: int, inbox: Path, limit: int) -> int:
    processing = inbox / "processing"
    for folder in ("processing", "processed", "failed"):
        (inbox / folder).mkdir(exist_ok=True)
    _give_back_stale(processing, inbox)
    done = 0
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        if done >= limit:
            break
        claimed = processing / path.name
        try:
            os.rename(path, claimed)  # atomic: another worker's rename then fails
        except FileNotFoundError:
            continue
        done += 1
        status = _read_file(tenant_id, claimed)
        target = "failed" if status == EdiMessage.Status.REJECTED else "processed"
        os.replace(claimed, inbox / target / path.name)
    return done


def _read_file(tenant_id: int, path: Path) -> str:
    content = path.read_bytes()[: MAX_FILE_BYTES + 1]
    if len(content) > MAX_FILE_BYTES:
        log.warning("EDI file %s is over %s bytes; left in failed/", path.name, MAX_FILE_BYTES)
        return EdiMessage.Status.REJECTED
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    received = inbound.receive_interchange(
        tenant_id=tenant_id, text=text, source=f"inbox: {path.name}"
    )
    return received.message.status


def _give_back_stale(processing: Path, inbox: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in processing.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            try:
                os.rename(path, inbox / path.name)
            except FileNotFoundError:
                continue


def write_outboxes() -> int:
    """Prepare the partners' documents from the event feed, then write the messages ready
    to their outbox folders; how many events and messages were handled."""
    done = sum(
        outbound.produce_documents(partner_id)
        for partner_id in TradingPartner.objects.filter(is_active=True).values_list("id", flat=True)
    )
    return done + _write_ready()


def _write_ready() -> int:
    def write(message: EdiMessage) -> None:
        assert message.partner is not None
        folder = tenant_folder(message.tenant.slug) / "outbox" / message.partner.gln
        write_file(folder, f"{message.kind}_{message.interchange_ref}.edi", message.raw)

    return messages.send_ready(MESSAGES_PER_ROUND, write)


def write_file(folder: Path, name: str, text: str) -> None:
    """Write `text` whole or not at all: a temporary file renamed into place, so a partner's
    gateway never picks up half a file (written again after a crash: the same name)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, folder / name)
