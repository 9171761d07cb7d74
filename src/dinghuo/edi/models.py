"""EDI trading partners (their GLNs mapped to a company and its ship-to addresses, our GLN,
the counters of what we send, the place in the event feed), and every EDI message that came
in or went out, kept with its raw text."""

from django.db import models

from dinghuo.catalog.models import Sku
from dinghuo.core.models import TenantScoped
from dinghuo.customers.models import Company, Location
from dinghuo.orders.models import Order


class TradingPartner(TenantScoped):
    """A company that exchanges EANCOM messages with us, known by its GLN."""

    name = models.CharField(max_length=200)
    gln = models.CharField(max_length=13)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    # The GLN we use towards this partner: an interchange addressed to another is refused.
    our_gln = models.CharField(max_length=13)
    # Test mode: messages are read and answered (with the UNB test indicator) but never
    # become real orders.
    test_mode = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # An order whose lines are partly refused is placed with the others (the order response
    # names the refused ones); otherwise one refused line refuses the whole order.
    accept_partial_orders = models.BooleanField(default=False)
    # Despatch advices and invoices also for the company's orders placed otherwise (portal,
    # API, staff), not only for those that came by EDI.
    documents_for_all_orders = models.BooleanField(default=False)
    # The next references we give: never reused (taken with one UPDATE … RETURNING).
    next_interchange_ref = models.PositiveBigIntegerField(default=1)
    next_message_ref = models.PositiveBigIntegerField(default=1)
    # Where the partner's documents stand in the event feed, as a subscription would.
    feed_txid = models.BigIntegerField(default=0)
    feed_event_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "gln"], name="edi_partner_gln_unique"),
            models.UniqueConstraint(
                fields=["tenant", "company"], name="edi_partner_company_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerShipTo(TenantScoped):
    """A delivery point's GLN (NAD+DP) and the company's address it stands for."""

    partner = models.ForeignKey(TradingPartner, on_delete=models.CASCADE, related_name="ship_tos")
    gln = models.CharField(max_length=13)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "gln"], name="edi_ship_to_gln_unique"),
        ]


class PartnerArticle(TenantScoped):
    """The buyer's own article number (PIA … IN) for one of our SKUs."""

    partner = models.ForeignKey(TradingPartner, on_delete=models.CASCADE, related_name="articles")
    buyer_article = models.CharField(max_length=35)
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "buyer_article"], name="edi_partner_article_unique"
            ),
        ]


class EdiMessage(TenantScoped):
    """One interchange received or sent, with its raw text, what became of it and why."""

    class Direction(models.TextChoices):
        IN = "in"
        OUT = "out"

    class Status(models.TextChoices):
        ACCEPTED = "accepted"  # in: its orders were placed
        TESTED = "tested"  # in: read and answered in test mode; no order
        REJECTED = "rejected"  # in: refused whole, with the reason; nothing placed
        READY = "ready"  # out: waiting to be written to the partner's outbox
        SENT = "sent"  # out: written to the outbox

    partner = models.ForeignKey(
        TradingPartner, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # ORDERS, ORDRSP, DESADV, INVOIC; "" when the text could not be read.
    kind = models.CharField(max_length=6, blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices)
    sender = models.CharField(max_length=35, blank=True, default="")
    recipient = models.CharField(max_length=35, blank=True, default="")
    interchange_ref = models.CharField(max_length=14, blank=True, default="")
    is_test = models.BooleanField(default=False)
    raw = models.TextField()
    content_hash = models.CharField(max_length=64)
    # Where it came from ("api", "inbox: <file>") or which event it answers.
    source = models.CharField(max_length=300, blank=True, default="")
    reason_code = models.CharField(max_length=64, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    # Every problem found: [{"message": ref, "line": n, "code": …, "text": …}].
    problems = models.JSONField(default=list, blank=True)
    # The message sent in answer to this one (an order response).
    answer = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answered"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "-id"], name="edi_message_tenant_idx"),
            models.Index(
                fields=["tenant", "sender", "interchange_ref"], name="edi_message_ref_idx"
            ),
            models.Index(
                fields=["status"], condition=models.Q(status="ready"), name="edi_message_ready_idx"
            ),
        ]


class EdiOrder(TenantScoped):
    """An order that came in by EDI: the partner, the message and the buyer's line numbers
    (our line number → theirs, with the article as they named it), for the documents back."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(TradingPartner, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(EdiMessage, on_delete=models.PROTECT, related_name="orders")
    purchase_order_number = models.CharField(max_length=64)
    lines = models.JSONField(default=dict)
