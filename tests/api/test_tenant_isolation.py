"""Walk every route of the OpenAPI document with another tenant's keys (staff and buyer) and
the buyer routes with another company's key: nothing of the owner is visible or changeable;
every object of the owner is "not found" (404), reads and writes alike."""

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from dinghuo.config.api import api
from dinghuo.core.models import TenantScoped
from dinghuo.core.services import create_api_key, create_tenant
from dinghuo.customers.models import Company, CompanyUser
from tests.builders import ApiClient, World, add_buyer, build_world
from tests.integrations.support import webhook_with_a_delivery

# A request each operation would accept from the owner, written with the owner's ids.
# A new route must be added here: the test fails for any operation it does not know.
SAMPLES: dict[str, dict[str, Any]] = {
    "GET /categories": {},
    "POST /categories": {
        "body": {"code": "new-cat", "name": {"en": "New"}, "parent_id": "{category_id}"}
    },
    "GET /categories/{category_id}": {},
    "PATCH /categories/{category_id}": {"body": {"name": {"en": "Renamed"}}},
    "GET /products": {"query": {"category_id": "{category_id}"}},
    "POST /products": {
        "body": {"code": "P-NEW", "name": {"en": "New"}, "category_id": "{category_id}"}
    },
    "GET /products/{product_id}": {},
    "PATCH /products/{product_id}": {"body": {"name": {"en": "Renamed"}}},
    "POST /products/{product_id}/deactivate": {},
    "POST /products/{product_id}/activate": {},
    # A multipart form; sent as JSON it is refused for its missing file after the product is
    # found, so another tenant's product still answers 404 (the service looks it up first).
    "GET /products/{product_id}/images": {},
    "POST /products/{product_id}/images": {},
    "DELETE /products/{product_id}/images/{image_id}": {},
    "PUT /products/{product_id}/images/order": {"body": {"image_ids": ["{image_id}"]}},
    "GET /skus": {"query": {"product_id": "{product_id}"}},
    "POST /skus": {"body": {"product_id": "{product_id}", "code": "S-NEW"}},
    "GET /skus/{sku_id}": {},
    "PATCH /skus/{sku_id}": {"body": {"pack_size": 2}},
    "POST /skus/{sku_id}/deactivate": {},
    "POST /skus/{sku_id}/activate": {},
    "POST /catalog/bulk": {"body": {"items": [{"code": "P-A-1", "name": {"en": "Mine now"}}]}},
    "GET /catalog": {"query": {"company_id": "{company_id}"}},
    "GET /warehouses": {},
    "POST /warehouses": {"body": {"code": "new-wh", "name": "New"}},
    "GET /warehouses/{warehouse_id}": {},
    "PATCH /warehouses/{warehouse_id}": {"body": {"name": "Renamed"}},
    "GET /stock": {"query": {"sku_id": "{sku_id}"}},
    "GET /skus/{sku_id}/stock": {},
    "POST /stock/receipts": {
        "body": {"warehouse": "main", "sku_id": "{sku_id}", "quantity": 5, "reason": "x"}
    },
    "POST /stock/adjustments": {
        "body": {"warehouse": "main", "sku_id": "{sku_id}", "delta": -1, "reason": "x"}
    },
    "POST /stock/receipts/bulk": {
        "body": {"lines": [{"sku": "A-1", "warehouse": "main", "quantity": 5}]}
    },
    "POST /stock/adjustments/bulk": {
        "body": {"lines": [{"sku": "A-1", "warehouse": "main", "delta": -1, "reason": "x"}]}
    },
    "GET /stock/movements": {"query": {"sku_id": "{sku_id}"}},
    "POST /stock-transfers": {
        "body": {
            "from_warehouse": "main",
            "to_warehouse": "north",
            "lines": [{"sku_id": "{sku_id}", "quantity": 1}],
        }
    },
    "POST /stock-counts": {"body": {"warehouse": "main"}},
    "GET /stock-counts": {"query": {"warehouse": "main"}},
    "GET /stock-counts/{count_id}": {},
    "GET /stock-counts/{count_id}/lines": {},
    "PUT /stock-counts/{count_id}/lines/{sku}": {"body": {"counted": 1}},
    "POST /stock-counts/{count_id}/submit": {},
    "POST /stock-counts/{count_id}/recount": {"body": {"line_ids": []}},
    "POST /stock-counts/{count_id}/post": {},
    "POST /stock-counts/{count_id}/cancel": {},
    "GET /price-lists": {},
    "POST /price-lists": {"body": {"code": "new-pl", "name": "New", "currency": "USD"}},
    "GET /price-lists/{price_list_id}": {},
    "PATCH /price-lists/{price_list_id}": {"body": {"name": "Renamed"}},
    "GET /price-lists/{price_list_id}/prices": {},
    "PUT /price-lists/{price_list_id}/prices": {
        "body": {"entries": [{"sku": "A-1", "tiers": [{"min_quantity": 1, "unit_price": "0.01"}]}]}
    },
    "GET /companies": {},
    "POST /companies": {
        "body": {"code": "C-NEW", "name": "New", "price_list_id": "{price_list_id}"}
    },
    "GET /companies/{company_id}": {},
    "PATCH /companies/{company_id}": {"body": {"name": "Renamed"}},
    "POST /companies/{company_id}/deactivate": {},
    "POST /companies/{company_id}/activate": {},
    "GET /companies/{company_id}/locations": {},
    "POST /companies/{company_id}/locations": {
        "body": {
            "kind": "ship_to",
            "name": "Dock 9",
            "line1": "9 Pier",
            "city": "Kowloon",
            "country": "HK",
        }
    },
    "GET /companies/{company_id}/locations/{location_id}": {},
    "PATCH /companies/{company_id}/locations/{location_id}": {"body": {"name": "Renamed"}},
    "GET /companies/{company_id}/users": {},
    "POST /companies/{company_id}/users": {"body": {"email": "new@buyer.example", "name": "New"}},
    "GET /companies/{company_id}/users/{user_id}": {},
    "PATCH /companies/{company_id}/users/{user_id}": {"body": {"role": "approver"}},
    "POST /companies/{company_id}/users/{user_id}/invitation": {},
    "DELETE /companies/{company_id}/users/{user_id}/invitation": {},
    "POST /orders": {
        "body": {
            "company_id": "{company_id}",
            "ship_to_id": "{location_id}",
            "lines": [{"sku": "A-1", "quantity": 1}],
        }
    },
    "GET /orders": {"query": {"company_id": "{company_id}"}},
    "GET /orders/{order_id}": {},
    "POST /orders/{order_id}/confirm": {},
    "POST /orders/{order_id}/shipments": {"body": {"carrier": "DHL", "tracking_number": "X1"}},
    "POST /orders/{order_id}/deliver": {},
    "POST /orders/{order_id}/cancel": {},
    "POST /orders/{order_id}/short-close": {"body": {"reason": "the rest is not needed"}},
    "POST /orders/{order_id}/amendments": {"body": {"purchase_order_number": "PO-AMEND"}},
    "GET /orders/{order_id}/amendments": {},
    "POST /orders/{order_id}/start-picking": {},
    "GET /suppliers": {},
    "POST /suppliers": {"body": {"code": "S-NEW", "name": "New", "currency": "USD"}},
    "GET /suppliers/{supplier_id}": {},
    "PATCH /suppliers/{supplier_id}": {"body": {"name": "Renamed"}},
    "GET /supplier-items": {"query": {"supplier_id": "{supplier_id}"}},
    "POST /supplier-items": {
        "body": {
            "supplier_id": "{supplier_id}",
            "sku_id": "{sku_id}",
            "cost_tiers": [{"min_quantity": 1, "unit_cost": "1.00"}],
        }
    },
    "GET /supplier-items/{supplier_item_id}": {},
    "PATCH /supplier-items/{supplier_item_id}": {"body": {"pack_size": 2}},
    "GET /reorder-rules": {"query": {"sku_id": "{sku_id}"}},
    "POST /reorder-rules": {
        "body": {
            "sku_id": "{sku_id}",
            "warehouse_id": "{warehouse_id}",
            "reorder_point": 1,
            "reorder_quantity": 2,
        }
    },
    "GET /reorder-rules/{reorder_rule_id}": {},
    "DELETE /reorder-rules/{reorder_rule_id}": {},
    "GET /replenishment/suggestions": {"query": {"supplier_id": "{supplier_id}"}},
    "GET /stock/incoming": {"query": {"sku_id": "{sku_id}"}},
    "GET /purchasing-policy": {},
    "PUT /purchasing-policy": {"body": {"over_delivery_percent": "5"}},
    "GET /purchase-orders": {"query": {"supplier_id": "{supplier_id}"}},
    "POST /purchase-orders": {
        "body": {
            "supplier_id": "{supplier_id}",
            "warehouse_id": "{warehouse_id}",
            "lines": [{"sku_id": "{sku_id}", "quantity": 1}],
        }
    },
    "GET /purchase-orders/{purchase_order_id}": {},
    "GET /purchase-orders/{purchase_order_id}/pdf": {},
    "PATCH /purchase-orders/{purchase_order_id}": {"body": {"note": "changed"}},
    "POST /purchase-orders/{purchase_order_id}/submit": {},
    "POST /purchase-orders/{purchase_order_id}/approve": {},
    "POST /purchase-orders/{purchase_order_id}/reject": {"body": {"comment": "no"}},
    "POST /purchase-orders/{purchase_order_id}/send": {},
    "POST /purchase-orders/{purchase_order_id}/confirm": {
        "body": {"lines": [{"line_number": 1, "quantity": 1}]}
    },
    "POST /purchase-orders/{purchase_order_id}/receipts": {
        "body": {"lines": [{"line_number": 1, "quantity": 1}]}
    },
    "POST /purchase-orders/{purchase_order_id}/close": {"body": {}},
    "POST /purchase-orders/{purchase_order_id}/cancel": {},
    "POST /orders/{order_id}/returns": {
        "body": {"lines": [{"line_number": 1, "quantity": 1, "reason": "damaged"}]}
    },
    "GET /returns": {"query": {"order_id": "{order_id}"}},
    "GET /returns/{return_id}": {},
    "GET /returns/{return_id}/slip.pdf": {},
    "POST /returns/{return_id}/approve": {"body": {}},
    "POST /returns/{return_id}/reject": {"body": {"comment": "no"}},
    "POST /returns/{return_id}/receive": {
        "body": {"lines": [{"line_number": 1, "received_quantity": 1, "fate": "restock"}]}
    },
    "POST /returns/{return_id}/close": {"body": {}},
    "GET /return-policy": {},
    "PUT /return-policy": {"body": {"window_days": 10}},
    "GET /orders/{order_id}/timeline": {},
    "GET /events": {},
    "GET /audit": {"query": {"object_type": "catalog.product", "object_id": "{product_id}"}},
    "GET /webhooks": {},
    "POST /webhooks": {"body": {"url": "https://93.184.215.14/hooks"}},
    "GET /webhooks/{webhook_id}": {},
    "PATCH /webhooks/{webhook_id}": {"body": {"description": "Renamed"}},
    "DELETE /webhooks/{webhook_id}": {},
    "POST /webhooks/{webhook_id}/secret": {},
    "POST /webhooks/{webhook_id}/resume": {},
    "GET /webhooks/{webhook_id}/deliveries": {},
    "GET /webhooks/{webhook_id}/deliveries/{delivery_id}": {},
    "POST /webhooks/{webhook_id}/deliveries/{delivery_id}/replay": {},
    "POST /webhooks/{webhook_id}/replays": {"body": {"after": "0"}},
    "POST /orders/{order_id}/approve": {"body": {"comment": "ok"}},
    "POST /orders/{order_id}/reject": {"body": {"comment": "no"}},
    "POST /orders/{order_id}/release-hold": {"body": {"comment": "paid"}},
    "GET /order-policy": {"expect": {"auto_confirm": False}},
    "PUT /order-policy": {
        "body": {
            "auto_confirm": True,
            "credit_action": "refuse",
            "overdue_grace_days": 3,
            "approval_expiry_hours": 24,
        }
    },
    "GET /approval-rules": {},
    "POST /approval-rules": {
        "body": {"name": "Mine", "approver": "company", "company_id": "{company_id}"}
    },
    "GET /approval-rules/{rule_id}": {},
    "PATCH /approval-rules/{rule_id}": {"body": {"name": "Renamed"}},
    "GET /reports/straight-through": {"expect": {"orders": 0}},
    "GET /customer-groups": {},
    "POST /customer-groups": {"body": {"code": "new-group", "name": "New"}},
    "GET /customer-groups/{group_id}": {},
    "GET /punchout-connections": {},
    "POST /punchout-connections": {
        "body": {
            "company_id": "{company_id}",
            "name": "Intruder's suite",
            "buyer_domain": "NetworkID",
            "buyer_identity": "AN-INTRUDER",
            "supplier_domain": "DUNS",
            "supplier_identity": "SUP-INTRUDER",
            "company_user_id": "{olive_id}",
        }
    },
    "GET /punchout-connections/{connection_id}": {},
    "PATCH /punchout-connections/{connection_id}": {"body": {"is_active": False}},
    "POST /punchout-connections/{connection_id}/secret": {},
    "PATCH /customer-groups/{group_id}": {"body": {"name": "Renamed"}},
    "GET /companies/{company_id}/members": {},
    "GET /companies/{company_id}/credit": {},
    "PATCH /companies/{company_id}/credit": {"body": {"credit_limit": "5000.00"}},
    "PUT /companies/{company_id}/receivables": {
        "body": {"unpaid_amount": "100.00", "oldest_unpaid_due_on": "2026-01-31"}
    },
    "GET /companies/{company_id}/users/{user_id}/api-keys": {},
    "POST /companies/{company_id}/users/{user_id}/api-keys": {
        "body": {"name": "ERP", "scopes": ["read", "write"]}
    },
    "POST /companies/{company_id}/users/{user_id}/api-keys/{prefix}/revoke": {},
    "GET /companies/{company_id}/cart": {},
    "POST /companies/{company_id}/cart/lines": {"body": {"sku": "A-1", "quantity": 1}},
    "PATCH /companies/{company_id}/cart/lines/{sku_id}": {"body": {"quantity": 2}},
    "DELETE /companies/{company_id}/cart/lines/{sku_id}": {},
    "POST /companies/{company_id}/cart/checkout": {"body": {"ship_to_id": "{location_id}"}},
    "GET /companies/{company_id}/requisition-lists": {},
    "POST /companies/{company_id}/requisition-lists": {
        "body": {"name": "New", "lines": [{"sku": "A-1", "quantity": 1}]}
    },
    "GET /companies/{company_id}/requisition-lists/{list_id}": {},
    "PATCH /companies/{company_id}/requisition-lists/{list_id}": {"body": {"name": "Renamed"}},
    "DELETE /companies/{company_id}/requisition-lists/{list_id}": {},
    "POST /companies/{company_id}/requisition-lists/{list_id}/add-to-cart": {},
    "POST /orders/{order_id}/reorder": {},
    "GET /quotes": {"query": {"company_id": "{company_id}"}},
    "POST /quotes": {
        "body": {"company_id": "{company_id}", "lines": [{"sku": "A-1", "quantity": 1}]}
    },
    "GET /quotes/{quote_id}": {},
    "POST /quotes/{quote_id}/answer": {
        "body": {
            "lines": [{"line_number": 1, "unit_price": "1.00"}],
            "expires_at": "2099-01-01T00:00:00Z",
        }
    },
    "POST /quotes/{quote_id}/reject": {"body": {"reason": "No"}},
    "GET /price-lists/{price_list_id}/assignments": {},
    "POST /price-lists/{price_list_id}/assignments": {
        "body": {"company_id": "{company_id}", "priority": 2}
    },
    "PATCH /price-lists/{price_list_id}/assignments/{assignment_id}": {"body": {"priority": 7}},
    "DELETE /price-lists/{price_list_id}/assignments/{assignment_id}": {},
    "GET /companies/{company_id}/contract-prices": {"query": {"sku_id": "{sku_id}"}},
    "POST /companies/{company_id}/contract-prices": {
        "body": {
            "sku_id": "{sku_id}",
            "valid_from": "2030-01-01",
            "valid_until": None,
            "reference": "K-NEW",
            "tiers": [{"min_quantity": 1, "unit_price": "1.00"}],
        }
    },
    "GET /contract-prices/{contract_id}": {},
    "PATCH /contract-prices/{contract_id}": {"body": {"reference": "Renamed"}},
    "DELETE /contract-prices/{contract_id}": {},
    "GET /promotions": {},
    "POST /promotions": {
        "body": {
            "code": "new-promo",
            "name": "New",
            "kind": "percent",
            "value": "5",
            "starts_at": "2030-01-01T00:00:00Z",
            "ends_at": "2030-02-01T00:00:00Z",
            "sku_ids": ["{sku_id}"],
            "customer_group_ids": ["{group_id}"],
        }
    },
    "GET /promotions/{promotion_id}": {},
    "PATCH /promotions/{promotion_id}": {"body": {"name": "Renamed"}},
    "POST /promotions/{promotion_id}/deactivate": {},
    "GET /companies/{company_id}/sku-terms": {},
    "PUT /companies/{company_id}/sku-terms": {
        "body": {"terms": [{"sku_id": "{sku_id}", "pack_size": 2}]}
    },
    "GET /assortments": {},
    "POST /assortments": {
        "body": {
            "code": "new-range",
            "name": "New",
            "category_ids": ["{category_id}"],
            "company_ids": ["{company_id}"],
        }
    },
    "GET /assortments/{assortment_id}": {},
    "PATCH /assortments/{assortment_id}": {"body": {"name": "Renamed"}},
    "GET /companies/{company_id}/price-explanation": {"query": {"sku": "A-1", "quantity": 2}},
    "GET /tax-categories": {},
    "POST /tax-categories": {"body": {"code": "new-tax", "name": {"en": "New"}}},
    "GET /tax-categories/{tax_category_id}": {},
    "PATCH /tax-categories/{tax_category_id}": {"body": {"name": {"en": "Renamed"}}},
    "GET /tax-rates": {"query": {"category_id": "{tax_category_id}"}},
    "POST /tax-rates": {
        "body": {
            "category_id": "{tax_category_id}",
            "country": "SG",
            "name": {"en": "GST"},
            "percent": "9",
            "valid_from": "2030-01-01",
        }
    },
    "GET /tax-rates/{tax_rate_id}": {},
    "PATCH /tax-rates/{tax_rate_id}": {"body": {"percent": "8"}},
    "DELETE /tax-rates/{tax_rate_id}": {},
    "GET /tax-policy": {"expect": {"rounding": "line"}},
    "PUT /tax-policy": {"body": {"rounding": "document"}},
    "PUT /companies/{company_id}/tax-exemption": {"body": {"certificate": "EX-1"}},
    "GET /exchange-rates": {"expect": {"base_currency": "USD"}},
    "PUT /exchange-rates": {
        "body": {"rates": [{"currency": "HKD", "date": "2030-01-01", "rate": "0.128"}]}
    },
    "POST /exchange-rates/import": {},
    "GET /exchange-rates/currencies": {"expect": {"items": []}},
    "GET /invoices": {"query": {"company_id": "{company_id}"}},
    "GET /invoices/{invoice_id}": {},
    "GET /invoices/{invoice_id}/pdf": {},
    "POST /invoices/period-run": {"body": {}},
    "POST /invoices/{invoice_id}/credit-notes": {"body": {"amount": "1.00", "reason": "Mine"}},
    "GET /credit-notes": {"query": {"invoice_id": "{invoice_id}"}},
    "GET /credit-notes/{credit_note_id}": {},
    "GET /credit-notes/{credit_note_id}/pdf": {},
    "POST /payments": {
        "body": {
            "company_id": "{company_id}",
            "amount": "1.00",
            "currency": "USD",
            "method": "cash",
            "received_on": "2026-01-05",
            "allocations": [{"invoice_id": "{invoice_id}", "amount": "1.00"}],
        }
    },
    "GET /payments": {"query": {"company_id": "{company_id}"}},
    "GET /payments/{payment_id}": {},
    "POST /companies/{company_id}/refunds": {
        "body": {"amount": "1.00", "method": "cash", "refunded_on": "2026-01-05"}
    },
    "GET /companies/{company_id}/balance": {},
    "GET /billing-policy": {"expect": {"legal_name": "", "invoicing": "per_shipment"}},
    "PUT /billing-policy": {"body": {"legal_name": "Intruder Ltd", "invoicing": "monthly"}},
    "POST /bank-statements": {},
    "GET /bank-statements": {},
    "GET /bank-statements/{statement_id}": {},
    "GET /bank-lines": {"query": {"status": "unmatched"}},
    "GET /bank-lines/{line_id}": {},
    "POST /bank-lines/{line_id}/match": {"body": {"company_id": "{company_id}"}},
    "POST /bank-lines/{line_id}/ignore": {},
    "GET /companies/{company_id}/statement": {},
    "GET /companies/{company_id}/statement.pdf": {},
    "GET /receivables/aging": {},
    "GET /receivables/aging.csv": {},
    "GET /receivables/aging.xlsx": {},
    "GET /accounting/journal.csv": {},
    "GET /accounting/journal.beancount": {},
    "GET /card-payments/{card_payment_id}": {},
    "POST /card-payments/{card_payment_id}/settle": {"body": {"outcome": "succeeded"}},
    "POST /card-payments/{card_payment_id}/refresh": {},
    # No API key: authenticated by the provider's signature, so no tenant to tell apart.
    "POST /gateways/stripe/webhook": {"body": {}},
    # Bulk files: exports are the caller's own data; an import is a multipart form (a JSON
    # body is refused, 422), its runs the caller's own.
    "GET /exports/products": {"query": {"category_id": "{category_id}"}},
    "GET /exports/prices": {"query": {"price_list_id": "{price_list_id}"}},
    "GET /exports/contract-prices": {"query": {"company_id": "{company_id}"}},
    "GET /exports/stock": {"query": {"warehouse": "main"}},
    "GET /exports/companies": {},
    "GET /exports/company-users": {"query": {"company_id": "{company_id}"}},
    "GET /exports/company-addresses": {"query": {"company_id": "{company_id}"}},
    "GET /exports/orders": {"query": {"company_id": "{company_id}"}},
    "GET /exports/invoices": {"query": {"company_id": "{company_id}", "format": "xlsx"}},
    "POST /imports": {"body": {"kind": "products"}},
    "GET /imports": {},
    "GET /imports/{run_id}": {},
    "POST /imports/{run_id}/apply": {},
    "GET /imports/{run_id}/problems.csv": {},
    "GET /edi/partners": {},
    "POST /edi/partners": {
        "body": {
            "name": "Intruder EDI",
            "gln": "5412345000013",
            "company_id": "{company_id}",
            "our_gln": "4012345000009",
            "ship_tos": [{"gln": "5412345000020", "location_id": "{location_id}"}],
        }
    },
    "GET /edi/partners/{partner_id}": {},
    "PATCH /edi/partners/{partner_id}": {"body": {"name": "Renamed", "test_mode": True}},
    "PUT /edi/partners/{partner_id}/articles": {
        "body": {"articles": [{"buyer_article": "X-1", "sku": "A-1"}]}
    },
    "POST /edi/messages": {},
    "GET /edi/messages": {},
    "GET /edi/messages/{message_id}": {},
    "GET /people/{person_id}/export": {},
    "POST /people/{person_id}/erase": {},
}

# The same for the buyer routes (/my/…), called with buyer keys.
BUYER_SAMPLES: dict[str, dict[str, Any]] = {
    "POST /my/orders": {
        "body": {"ship_to_id": "{location_id}", "lines": [{"sku": "A-1", "quantity": 1}]}
    },
    "GET /my/orders": {},
    "GET /my/approvals": {},
    "GET /my/orders/{order_id}": {},
    "GET /my/orders/{order_id}/timeline": {},
    "POST /my/orders/{order_id}/amendments": {"body": {"purchase_order_number": "PO-MINE"}},
    "GET /my/orders/{order_id}/amendments": {},
    "POST /my/orders/{order_id}/approve": {"body": {"comment": "ok"}},
    "POST /my/orders/{order_id}/reject": {"body": {"comment": "no"}},
    "POST /my/orders/{order_id}/cancel": {"body": {"reason": "x"}},
    "POST /my/orders/{order_id}/reorder": {},
    "GET /my/company": {},
    "GET /my/users": {},
    "POST /my/users": {"body": {"email": "new2@buyer.example", "name": "New"}},
    "GET /my/users/{user_id}": {},
    "PATCH /my/users/{user_id}": {"body": {"name": "Renamed"}},
    "POST /my/users/{user_id}/invitation": {},
    "DELETE /my/users/{user_id}/invitation": {},
    "GET /my/locations": {},
    "POST /my/locations": {
        "body": {
            "kind": "ship_to",
            "name": "Dock 8",
            "line1": "8 Pier",
            "city": "Kowloon",
            "country": "HK",
        }
    },
    "GET /my/locations/{location_id}": {},
    "PATCH /my/locations/{location_id}": {"body": {"name": "Renamed"}},
    "GET /my/cart": {},
    "POST /my/cart/lines": {"body": {"sku": "A-1", "quantity": 1}},
    "PATCH /my/cart/lines/{sku_id}": {"body": {"quantity": 2}},
    "DELETE /my/cart/lines/{sku_id}": {},
    "POST /my/cart/checkout": {"body": {"ship_to_id": "{location_id}"}},
    "GET /my/requisition-lists": {},
    "POST /my/requisition-lists": {
        "body": {"name": "New", "lines": [{"sku": "A-1", "quantity": 1}]}
    },
    "GET /my/requisition-lists/{list_id}": {},
    "PATCH /my/requisition-lists/{list_id}": {"body": {"name": "Renamed"}},
    "DELETE /my/requisition-lists/{list_id}": {},
    "POST /my/requisition-lists/{list_id}/add-to-cart": {},
    "GET /my/quotes": {},
    "POST /my/quotes": {"body": {"lines": [{"sku": "A-1", "quantity": 1}]}},
    "GET /my/quotes/{quote_id}": {},
    "POST /my/quotes/{quote_id}/accept": {"body": {"ship_to_id": "{location_id}"}},
    "POST /my/quotes/{quote_id}/decline": {},
    "POST /my/quotes/{quote_id}/counter": {
        "body": {"lines": [{"line_number": 1, "quantity": 2, "unit_price": "1.00"}], "note": "?"}
    },
    "POST /my/quotes/{quote_id}/withdraw": {},
    "GET /my/catalog": {},
    "GET /my/price-explanation": {"query": {"sku": "A-1", "quantity": 2}},
    "GET /my/invoices": {},
    "GET /my/statement": {},
    "GET /my/statement.pdf": {},
    "GET /my/card-payments/{card_payment_id}": {},
    "POST /my/invoices/{invoice_id}/card-payments": {},
    "POST /my/orders/{order_id}/card-payments": {},
    "GET /my/invoices/{invoice_id}": {},
    "GET /my/invoices/{invoice_id}/pdf": {},
    "GET /my/credit-notes": {},
    "GET /my/credit-notes/{credit_note_id}": {},
    "GET /my/credit-notes/{credit_note_id}/pdf": {},
    "GET /my/balance": {},
    "POST /my/orders/{order_id}/returns": {
        "body": {"lines": [{"line_number": 1, "quantity": 1, "reason": "damaged"}]}
    },
    "GET /my/returns": {},
    "GET /my/returns/{return_id}": {},
    "GET /my/returns/{return_id}/slip.pdf": {},
    "POST /my/returns/{return_id}/photos": {},
}


# Text only the owner's data contains: no answer to an intruder may include it.
OWNER_MARKS = (
    "amy@buyer.example",
    "olive@buyer.example",
    "PO-OWNER-1",
    "Owner's list",
    "Owner Trading Ltd",
    "Owner's credit",
    "TT-OWNER",
    "PO-4711",
)


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """Replace "{name}" placeholders with the owner's ids."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def operations(buyer: bool = False) -> list[tuple[str, str]]:
    """The OpenAPI operations (staff or buyer routes): reads first, deletes last."""
    prefix = "/api/v1"
    paths = api.get_openapi_schema()["paths"]
    found = [
        (method.upper(), path[len(prefix) :])
        for path, ops in paths.items()
        for method in ops
        if path.startswith(f"{prefix}/my/") == buyer
    ]
    order = {"GET": 0, "DELETE": 2}
    return sorted(found, key=lambda op: order.get(op[0], 1))


def sample(method: str, path: str) -> dict[str, Any]:
    return (BUYER_SAMPLES if path.startswith("/my/") else SAMPLES)[f"{method} {path}"]


def call(client: ApiClient, method: str, path: str, ids: dict[str, Any], key: str) -> Any:
    import json

    spec = sample(method, path)
    if path.startswith("/my/"):
        ids = {**ids, "list_id": ids["my_list_id"]}
    url = path.format(**ids)
    if method == "GET":
        return client.get(url, **fill(spec.get("query", {}), ids))
    body = fill(spec.get("body"), ids)
    return client.send(
        method, url, json.dumps(body) if body is not None else None, **{"Idempotency-Key": key}
    )


def tenant_rows(tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of every tenant-scoped table of this tenant."""
    rows = {}
    for model in apps.get_models():
        if issubclass(model, TenantScoped):
            rows[model.__name__] = list(
                model.objects.filter(tenant_id=tenant_id).order_by("pk").values()
            )
    return rows


def company_rows(company_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that belongs to one company (for intruders of the same tenant)."""
    from dinghuo.billing.models import (
        Account,
        CardPayment,
        CreditNote,
        Invoice,
        Payment,
        Receivable,
    )
    from dinghuo.buying.models import Cart, CartLine, Quote, RequisitionList
    from dinghuo.customers.models import Company, CreditLine, Location
    from dinghuo.orders.models import Order, OrderApproval, OrderLine

    scopes = {
        Company: {"pk": company_id},
        CreditLine: {"company_id": company_id},
        Location: {"company_id": company_id},
        CompanyUser: {"company_id": company_id},
        Order: {"company_id": company_id},
        OrderLine: {"order__company_id": company_id},
        OrderApproval: {"order__company_id": company_id},
        Cart: {"company_id": company_id},
        CartLine: {"cart__company_id": company_id},
        RequisitionList: {"company_id": company_id},
        Quote: {"company_id": company_id},
        Invoice: {"company_id": company_id},
        Receivable: {"company_id": company_id},
        CreditNote: {"company_id": company_id},
        Payment: {"company_id": company_id},
        Account: {"company_id": company_id},
        CardPayment: {"company_id": company_id},
    }
    return {
        model.__name__: list(model.objects.filter(**where).order_by("pk").values())
        for model, where in scopes.items()
    }


@pytest.fixture
def owner_ids(world: World) -> dict[str, Any]:
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from dinghuo.buying import services as buying
    from dinghuo.catalog import services as catalog
    from dinghuo.customers.services import create_customer_group, issue_buyer_api_key
    from dinghuo.orders.models import ApprovalRule
    from dinghuo.pricing import services as pricing
    from dinghuo.pricing.tax import Rounding

    api_ = world.client()
    order = api_.place(world.order_body(("A-1", 2), purchase_order_number="PO-OWNER-1"), key="iso")
    billed = _billed(world, api_)  # before the approval rule below holds every order
    user = api_.post(
        f"/companies/{world.company.pk}/users", {"email": "amy@buyer.example", "name": "Amy"}
    )
    assert user.status_code == 201, user.json()
    amy = CompanyUser.objects.get(user__username="amy@buyer.example")
    tenant, company = world.tenant.pk, world.company.pk
    group = create_customer_group(tenant_id=tenant, code="dealers", name="Dealers")
    issued = issue_buyer_api_key(
        tenant_id=tenant, company_id=company, company_user_id=amy.pk, name="amy", scopes={"read"}
    )
    rule = ApprovalRule.objects.create(
        tenant=world.tenant,
        seller=world.seller,
        name="Big",
        approver="seller",
        level=1,
        currency="USD",
    )
    listed = buying.create_requisition_list(
        tenant_id=tenant,
        company_id=company,
        owner_id=None,
        name="Owner's list",
        lines=[buying.ListLine("A-1", 3)],
    )
    quote = buying.request_quote(
        tenant_id=tenant, company_id=company, lines=[buying.QuoteLineRequest("A-1", 5)]
    )
    buying.add_to_cart(tenant_id=tenant, company_id=company, owner_id=None, sku="A-1", quantity=1)
    sku_id = world.skus["A-1"].pk
    assignment = pricing.assign_price_list(
        tenant_id=tenant, price_list_id=world.price_list.pk, customer_group_id=group.pk
    )
    # Ends in 2020, so that the sample contract from 2030 does not overlap it.
    contract = pricing.create_contract_price(
        tenant_id=tenant,
        company_id=company,
        sku_id=sku_id,
        valid_from=date(2020, 1, 1),
        valid_until=date(2020, 12, 31),
        tiers=[(1, Decimal("9.00"))],
        reference="K-OWNER",
    )
    promotion = pricing.create_promotion(
        tenant_id=tenant,
        code="owner-promo",
        name="Owner promo",
        kind="percent",
        value=Decimal(5),
        starts_at=datetime(2020, 1, 1, tzinfo=UTC),
        ends_at=datetime(2020, 2, 1, tzinfo=UTC),
        targets=pricing.PromotionTargets(category_ids=[], sku_ids=[sku_id], customer_group_ids=[]),
    )
    assortment = pricing.create_assortment(
        tenant_id=tenant,
        code="owner-range",
        name="Owner range",
        members=pricing.AssortmentMembers(
            category_ids=[], sku_ids=[sku_id], company_ids=[], customer_group_ids=[]
        ),
    )
    tax_category = catalog.create_tax_category(
        tenant_id=tenant, code="standard", name={"en": "Standard"}
    )
    # Ends in 2020, so that the sample rate from 2030 does not overlap it.
    tax_rate = pricing.create_tax_rate(
        tenant_id=tenant,
        category_id=tax_category.pk,
        country="SG",
        name={"en": "GST"},
        percent=Decimal(9),
        valid_from=date(2020, 1, 1),
        valid_until=date(2020, 12, 31),
    )
    pricing.set_tax_policy(tenant_id=tenant, rounding=Rounding.DOCUMENT)
    olive, buyer_api = add_buyer(world, "olive@buyer.example", role="admin")
    from dinghuo.punchout import services as punchout

    connection = punchout.create_connection(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        name="Owner's suite",
        identities=punchout.Identities("networkid", "AN-OWNER", "duns", "SUP-OWNER"),
        company_user_id=olive.pk,
    ).connection
    buyer_api.post("/my/cart/lines", {"sku": "A-1", "quantity": 1})
    # The buyer walk deletes a list too: it gets its own (buyer calls use "my_list_id").
    buyer_list = buying.create_requisition_list(
        tenant_id=tenant,
        company_id=company,
        owner_id=olive.pk,
        name="Owner's list",
        lines=[buying.ListLine("A-1", 3)],
    )
    from dinghuo.bulk.services import start_import

    run = start_import(
        tenant_id=tenant, kind="products", file_name="Owner's list.csv", content=b"x"
    )
    from dinghuo.stocktaking.services import start_count

    count = start_count(tenant_id=tenant, warehouse_code="main")
    from dinghuo.purchasing import services as purchasing

    supplier = purchasing.create_supplier(
        tenant_id=tenant, code="SUP-OWNER", name="Owner's supplier", currency="USD"
    )
    supplier_item = purchasing.create_supplier_item(
        tenant_id=tenant,
        supplier_id=supplier.pk,
        sku_id=sku_id,
        cost_tiers=[{"min_quantity": 1, "unit_cost": "4.00"}],
        is_preferred=True,
    )
    reorder_rule = purchasing.set_reorder_rule(
        tenant_id=tenant,
        sku_id=sku_id,
        warehouse_id=world.warehouses[0].pk,
        reorder_point=5,
        reorder_quantity=10,
    )
    purchase_order = purchasing.create_purchase_order(
        tenant_id=tenant,
        supplier_id=supplier.pk,
        warehouse_id=world.warehouses[0].pk,
        lines=[purchasing.LineWanted(sku_id, 3)],
    )
    return {
        **billed,
        "count_id": count.pk,
        "sku": "A-1",
        "run_id": run.pk,
        "supplier_id": supplier.pk,
        "supplier_item_id": supplier_item.pk,
        "reorder_rule_id": reorder_rule.pk,
        "purchase_order_id": purchase_order.pk,
        **_edi(world),
        "order_id": order.json()["id"],
        "company_id": company,
        "location_id": world.ship_to.pk,
        "user_id": amy.pk,
        "person_id": amy.user_id,
        "warehouse_id": world.warehouses[0].pk,
        "price_list_id": world.price_list.pk,
        "product_id": world.skus["A-1"].product_id,
        "image_id": _product_image(world),
        "category_id": world.skus["A-1"].product.category_id,
        "sku_id": world.skus["A-1"].pk,
        "group_id": group.pk,
        "prefix": issued.key.prefix,
        "rule_id": rule.pk,
        "list_id": listed.pk,
        "my_list_id": buyer_list.pk,
        "quote_id": quote.pk,
        "assignment_id": assignment.pk,
        "contract_id": contract.pk,
        "promotion_id": promotion.pk,
        "assortment_id": assortment.pk,
        "tax_category_id": tax_category.pk,
        "tax_rate_id": tax_rate.pk,
        "owner_buyer": buyer_api,
        **webhook_with_a_delivery(world),
        "connection_id": connection.pk,
        "olive_id": olive.pk,
    }


def _product_image(world: World) -> int:
    """A picture of the owner's product A-1."""
    import io

    from PIL import Image

    from dinghuo.catalog import services as catalog

    out = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(out, "PNG")
    product_id = world.skus["A-1"].product_id
    return catalog.add_product_image(
        tenant_id=world.tenant.pk, product_id=product_id, content=out.getvalue()
    ).pk


def _billed(world: World, api_: ApiClient) -> dict[str, int]:
    """An invoice of the owner (an order shipped), a credit note on it and a payment."""
    from dinghuo.billing import services as billing

    billing.set_billing_policy(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, legal_name="Owner Trading Ltd"
    )
    placed = api_.place(world.order_body(("A-1", 3)), key="iso-billed").json()["id"]
    assert api_.post(f"/orders/{placed}/confirm").status_code == 200
    shipped = api_.post(f"/orders/{placed}/shipments", {"carrier": "DHL", "tracking_number": "B"})
    assert shipped.status_code == 201, shipped.json()
    [invoice] = api_.get("/invoices").json()["items"]
    note = api_.post(
        f"/invoices/{invoice['id']}/credit-notes",
        {"amount": "1.00", "reason": "Owner's credit"},
        key="iso-note",
    )
    payment = api_.post(
        "/payments",
        {
            "company_id": world.company.pk,
            "amount": "5.00",
            "currency": "USD",
            "method": "bank_transfer",
            "received_on": "2026-01-05",
            "reference": "TT-OWNER",
        },
        key="iso-payment",
    )
    assert (note.status_code, payment.status_code) == (201, 201), (note.json(), payment.json())
    # The billed order delivered and a unit of it asked back: the owner's return.
    assert api_.post(f"/orders/{placed}/deliver").status_code == 200
    returned = api_.post(
        f"/orders/{placed}/returns",
        {"lines": [{"line_number": 1, "quantity": 1, "reason": "damaged"}]},
        key="iso-return",
    )
    assert returned.status_code == 201, returned.json()
    statement = Path(__file__).parents[1] / "billing" / "statements" / "camt053_001_02.xml"
    imported = billing.import_statement(tenant_id=world.tenant.pk, content=statement.read_bytes())
    waiting = imported.statement.lines.filter(status="unmatched").order_by("line_number").first()
    assert waiting is not None
    card = billing.start_card_payment(
        tenant_id=world.tenant.pk, company_id=world.company.pk, invoice_id=invoice["id"]
    )
    return {
        "return_id": returned.json()["id"],
        "statement_id": imported.statement.pk,
        "line_id": waiting.pk,
        "card_payment_id": card.pk,
        "invoice_id": invoice["id"],
        "credit_note_id": note.json()["id"],
        "payment_id": payment.json()["id"],
    }


def _edi(world: World) -> dict[str, int]:
    """The owner's EDI partner and an interchange of orders it sent (PO-4711)."""
    from dinghuo.edi.services import inbound
    from tests.edi.support import add_partner, fixture

    partner = add_partner(world)
    text = fixture("orders_basic.edi")
    received = inbound.receive_interchange(tenant_id=world.tenant.pk, text=text, source="api")
    assert received.message.status == "accepted", received.message.reason
    return {"partner_id": partner.pk, "message_id": received.message.pk}


def test_the_walk_knows_every_operation():
    every = [*operations(), *operations(buyer=True)]
    known = {**SAMPLES, **BUYER_SAMPLES}
    unknown = [f"{m} {p}" for m, p in every if f"{m} {p}" not in known]
    assert not unknown, f"add these operations to SAMPLES or BUYER_SAMPLES: {unknown}"
    stale = set(known) - {f"{m} {p}" for m, p in every}
    assert not stale, f"these operations no longer exist: {stale}"


# Routes a provider calls, authenticated by a signature the intruder cannot make.
SIGNED_PATHS = {"/gateways/stripe/webhook"}
# Buyer routes on the caller's own cart: the SKU id names no object of the owner.
OWN_CART_PATHS = {"/my/cart/lines/{sku_id}"}


def assert_refused_or_empty(r: Any, method: str, path: str) -> None:
    content = b"".join(r.streaming_content) if r.streaming else r.content  # a streamed export
    where = f"{method} {path}: {r.status_code} {content[:200]!r}"
    assert r.status_code < 500, where
    assert not any(mark.encode() in content for mark in OWNER_MARKS), where
    if path in OWN_CART_PATHS:
        assert r.status_code in (200, 204, 404, 422), where
    elif path in SIGNED_PATHS:
        assert (r.status_code, r.json()["code"]) == (400, "invalid_signature"), where
    elif "{" in path:
        assert r.status_code == 404, where
        assert r.json()["code"] in {"not_found", "unknown_company"}, where
    elif method == "GET":
        assert r.status_code in (200, 404), where
        if not r["Content-Type"].startswith(("application/json", "application/problem+json")):
            return  # the caller's own file (a statement, an aging export): marks checked above
        body = r.json()
        if r.status_code == 200 and "items" in body and not path.startswith("/my/"):
            assert body["items"] == [], where
        for name, value in sample(method, path).get("expect", {}).items():
            assert body[name] == value, where
    else:
        # Creates naming the owner's objects: refused, or made inside the intruder's own tenant.
        assert r.status_code in (200, 201, 404, 409, 422), where


def test_another_tenant_sees_and_changes_nothing(world, owner_ids):
    # Staff of an empty tenant: every list it reads must be empty. A buyer of a full one.
    bare = create_tenant(slug="intruder", name="Intruder")
    intruder = ApiClient(create_api_key(tenant=bare, name="x", scopes={"read", "write"}).secret)
    intruder_tenant = build_world("intruders")
    _, intruder_buyer = add_buyer(intruder_tenant, "ivan@intruder.example", role="admin")
    users_before = User.objects.count()
    before = tenant_rows(world.tenant.pk)

    for n, (method, path) in enumerate(operations()):
        r = call(intruder, method, path, owner_ids, key=f"intruder-{n}")
        assert_refused_or_empty(r, method, path)
    for n, (method, path) in enumerate(operations(buyer=True)):
        r = call(intruder_buyer, method, path, owner_ids, key=f"intruder-buyer-{n}")
        assert_refused_or_empty(r, method, path)

    assert tenant_rows(world.tenant.pk) == before
    # The intruder's own company may have gained users; the owner's tenant none.
    assert User.objects.exclude(buyer__tenant=intruder_tenant.tenant).count() <= users_before


def test_another_company_of_the_tenant_sees_and_changes_nothing(world, owner_ids):
    other = Company.objects.create(
        tenant=world.tenant, code="C999", name="Neighbour", price_list=world.price_list
    )
    _, neighbour = add_buyer(world, "nina@neighbour.example", role="admin", company=other)
    before = company_rows(world.company.pk)
    for n, (method, path) in enumerate(operations(buyer=True)):
        r = call(neighbour, method, path, owner_ids, key=f"neighbour-{n}")
        assert_refused_or_empty(r, method, path)
    assert company_rows(world.company.pk) == before


def test_the_owner_reaches_every_object_the_intruder_could_not(world, owner_ids):
    """The control: the same requests with the owner's keys do find the objects."""
    owner = world.client()
    for n, (method, path) in enumerate([*operations(), *operations(buyer=True)]):
        if "{" not in path:
            continue
        client = owner_ids["owner_buyer"] if path.startswith("/my/") else owner
        r = call(client, method, path, owner_ids, key=f"owner-{n}")
        assert r.status_code != 404, f"{method} {path}: {r.status_code} {r.content[:300]!r}"
        assert r.status_code < 500, f"{method} {path}: {r.status_code}"
