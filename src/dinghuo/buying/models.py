"""What comes before an order: carts, saved (requisition) lists and quotes (RFQ)."""

from django.conf import settings
from django.db import models

from dinghuo.buying.quote_states import QuoteStatus
from dinghuo.catalog.models import Sku
from dinghuo.core.models import Seller, TenantScoped
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.orders.models import Order


class Cart(TenantScoped):
    """A company's cart with one seller: a buyer's own, or (owner empty) the one seller staff
    fill on the company's behalf."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        CompanyUser, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "owner", "seller"],
                name="one_cart_per_owner_and_seller",
            ),
            models.UniqueConstraint(
                fields=["company", "seller"],
                condition=models.Q(owner__isnull=True),
                name="one_staff_cart_per_company_and_seller",
            ),
        ]


class CartLine(TenantScoped):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_line_sku_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="cart_quantity_positive"
            ),
        ]


class RequisitionList(TenantScoped):
    """A saved list of SKUs and quantities a company buys again and again."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        CompanyUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "company", "id"], name="requisition_company_idx")]

    def __str__(self) -> str:
        return self.name


class RequisitionListLine(TenantScoped):
    requisition_list = models.ForeignKey(
        RequisitionList, on_delete=models.CASCADE, related_name="lines"
    )
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requisition_list", "sku"], name="requisition_line_sku_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="requisition_quantity_positive"
            ),
        ]


class Quote(TenantScoped):
    """A buyer's request for prices (RFQ), the seller's answer, and the order it became."""

    # One list of statuses, the one the transition table (quote_states.py) is written in.
    Status = QuoteStatus

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        CompanyUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    currency = models.CharField(max_length=3)
    ship_to = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    buyer_note = models.TextField(blank=True, default="")
    seller_note = models.TextField(blank=True, default="")
    # Why the seller rejected the request (or took back an answer).
    reject_reason = models.CharField(max_length=500, blank=True, default="")
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="quote"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "company", "-id"], name="quote_company_idx"),
            models.Index(fields=["tenant", "status", "id"], name="quote_status_idx"),
            # expire_quotes reads only answered quotes by expiry.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status="answered"),
                name="quote_answered_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"Q-{self.pk:07d}"


class QuoteLine(TenantScoped):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    # The price the seller quotes; empty until answered.
    unit_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    # The price the company would have paid without the quote, when answered (for comparison).
    list_unit_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")
    # The seller's word on this line with its price (the answer's, not the request's).
    seller_note = models.CharField(max_length=300, blank=True, default="")
    # The price the buyer proposed in their last counter-offer; empty when they proposed none.
    asked_unit_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quote", "line_number"], name="quote_line_unique"),
            models.UniqueConstraint(fields=["quote", "sku"], name="quote_line_sku_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="quote_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0) | models.Q(unit_price__isnull=True),
                name="quote_price_not_negative",
            ),
        ]


class QuoteRound(TenantScoped):
    """One step of a quote's negotiation, as it was said: the request, each answer, each
    counter-offer. Never changed once written; the quote's lines hold the current terms."""

    class Kind(models.TextChoices):
        REQUEST = "request"
        ANSWER = "answer"
        COUNTER = "counter"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Who said it: a buyer's or a staff member's account (empty: through the API or erased).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)
    # Per line: {"line_number", "sku", "quantity", "unit_price" (a decimal string or null),
    # "note"}, as proposed in this round.
    lines = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="quote_round_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.number}"
