"""The back office's pages (mounted at /staff/)."""

from django.urls import path

from dinghuo.backoffice import (
    signin,
    views,
    views_companies,
    views_entry,
    views_fulfilment,
    views_price_lists,
    views_price_offers,
    views_promotions,
    views_stock,
)

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
    path("stock/", views_stock.levels, name="stock"),
    path("stock/<int:sku_id>/", views_stock.sku, name="stock-sku"),
    path("stock/<int:sku_id>/receive/", views_stock.receive, name="stock-receive"),
    path("stock/<int:sku_id>/adjust/", views_stock.adjust, name="stock-adjust"),
    path("stock/<int:sku_id>/transfer/", views_stock.transfer, name="stock-transfer"),
    path("companies/", views_companies.companies, name="companies"),
    path("companies/<int:company_id>/", views_companies.company, name="company"),
    path("companies/<int:company_id>/order/", views_entry.enter_order, name="company-order"),
    path("prices/", views_price_lists.price_lists, name="price-lists"),
    path("prices/<int:price_list_id>/", views_price_lists.price_list, name="price-list"),
    path(
        "prices/<int:price_list_id>/settings/",
        views_price_lists.price_list_settings,
        name="price-list-settings",
    ),
    path("prices/<int:price_list_id>/ladder/", views_price_lists.ladder, name="ladder"),
    path("prices/<int:price_list_id>/assignments/", views_price_offers.assign, name="assign"),
    path(
        "prices/<int:price_list_id>/assignments/<int:assignment_id>/priority/",
        views_price_offers.change_priority,
        name="change-priority",
    ),
    path(
        "prices/<int:price_list_id>/assignments/<int:assignment_id>/remove/",
        views_price_offers.remove_assignment,
        name="remove-assignment",
    ),
    path("promotions/", views_promotions.promotions, name="promotions"),
    path("promotions/new/", views_promotions.new_promotion, name="new-promotion"),
    path("promotions/<int:promotion_id>/", views_promotions.promotion, name="promotion"),
    path(
        "promotions/<int:promotion_id>/deactivate/",
        views_promotions.deactivate_promotion,
        name="deactivate-promotion",
    ),
]
