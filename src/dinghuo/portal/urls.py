"""The buyer portal's pages (mounted at the site root)."""

from django.urls import path
from django.views.generic import RedirectView

from dinghuo.portal import (
    signin,
    views_approvals,
    views_cart,
    views_catalogue,
    views_company,
    views_invoices,
    views_lists,
    views_orders,
    views_quick_order,
    views_quotes,
    views_statement,
)

app_name = "portal"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:catalogue"), name="home"),
    path("signin/", signin.sign_in, name="sign-in"),
    path("signout/", signin.sign_out, name="sign-out"),
    path("catalogue/", views_catalogue.catalogue, name="catalogue"),
    path("products/<int:sku_id>/", views_catalogue.product, name="product"),
    path("quick-order/", views_quick_order.quick_order, name="quick-order"),
    path("cart/", views_cart.cart, name="cart"),
    path("cart/add/", views_catalogue.add_to_cart, name="cart-add"),
    path("cart/lines/<int:sku_id>/", views_cart.cart_line, name="cart-line"),
    path("checkout/", views_cart.checkout, name="checkout"),
    path("orders/", views_orders.orders, name="orders"),
    path("orders/<int:order_id>/", views_orders.order, name="order"),
    path("orders/<int:order_id>/reorder/", views_orders.reorder, name="reorder"),
    path("invoices/", views_invoices.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", views_invoices.invoice, name="invoice"),
    path("invoices/<int:invoice_id>/pdf/", views_invoices.invoice_pdf, name="invoice-pdf"),
    path("credit-notes/", views_invoices.credit_notes, name="credit-notes"),
    path("statement/", views_statement.statement, name="statement"),
    path("statement/pdf/", views_statement.statement_as_pdf, name="statement-pdf"),
    path(
        "credit-notes/<int:credit_note_id>/pdf/",
        views_invoices.credit_note_pdf,
        name="credit-note-pdf",
    ),
    path("approvals/", views_approvals.approvals, name="approvals"),
    path("approvals/<int:order_id>/", views_approvals.decide, name="decide"),
    path("company/", views_company.company, name="company"),
    path("company/users/", views_company.add_user, name="company-user-add"),
    path("company/users/<int:member_id>/", views_company.change_user, name="company-user"),
    path("company/addresses/", views_company.add_address, name="company-address-add"),
    path("company/addresses/<int:location_id>/", views_company.address, name="company-address"),
    path("lists/", views_lists.lists, name="lists"),
    path("lists/<int:list_id>/", views_lists.saved_list, name="list"),
    path("lists/<int:list_id>/delete/", views_lists.delete_list, name="list-delete"),
    path("lists/<int:list_id>/cart/", views_lists.list_to_cart, name="list-to-cart"),
    path("quotes/", views_quotes.quotes, name="quotes"),
    path("quotes/new/", views_quotes.new_quote, name="quote-new"),
    path("quotes/<int:quote_id>/", views_quotes.quote, name="quote"),
    path("quotes/<int:quote_id>/accept/", views_quotes.accept, name="quote-accept"),
    path("quotes/<int:quote_id>/decline/", views_quotes.decline, name="quote-decline"),
    path("quotes/<int:quote_id>/withdraw/", views_quotes.withdraw, name="quote-withdraw"),
]
