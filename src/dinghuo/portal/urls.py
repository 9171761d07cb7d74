"""The buyer portal's pages (mounted at the site root)."""

from django.urls import path
from django.views.generic import RedirectView

from dinghuo.portal import signin, views, views_approvals, views_company, views_lists, views_quotes

app_name = "portal"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:catalogue"), name="home"),
    path("signin/", signin.sign_in, name="sign-in"),
    path("signout/", signin.sign_out, name="sign-out"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("products/<int:sku_id>/", views.product, name="product"),
    path("quick-order/", views.quick_order, name="quick-order"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.add_to_cart, name="cart-add"),
    path("cart/lines/<int:sku_id>/", views.cart_line, name="cart-line"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order, name="order"),
    path("orders/<int:order_id>/reorder/", views.reorder, name="reorder"),
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
