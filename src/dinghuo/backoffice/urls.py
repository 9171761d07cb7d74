"""The back office's pages (mounted at /staff/)."""

from django.urls import path

from dinghuo.backoffice import signin, views, views_fulfilment

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("signin/", signin.sign_in, name="sign-in"),
    path("signout/", signin.sign_out, name="sign-out"),
    path("orders/", views.desk, name="orders"),
    path("orders/confirm/", views.bulk_confirm, name="bulk-confirm"),
    path("orders/<int:order_id>/", views.order, name="order"),
    path("orders/<int:order_id>/confirm/", views.confirm, name="confirm"),
    path("orders/<int:order_id>/cancel/", views.cancel, name="cancel"),
    path("orders/<int:order_id>/release-hold/", views.release_hold, name="release-hold"),
    path("orders/<int:order_id>/approve/", views.approve, name="approve"),
    path("orders/<int:order_id>/reject/", views.reject, name="reject"),
    path(
        "orders/<int:order_id>/shipments/<int:shipment_id>/packing-slip.pdf",
        views_fulfilment.packing_slip_pdf,
        name="packing-slip",
    ),
    path("fulfilment/", views_fulfilment.to_ship, name="fulfilment"),
    path("fulfilment/<int:order_id>/", views_fulfilment.ship, name="ship"),
]
