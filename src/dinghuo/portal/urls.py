"""The buyer portal's pages (mounted at the site root)."""

from django.urls import path
from django.views.generic import RedirectView

from dinghuo.portal import signin, views

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
]
