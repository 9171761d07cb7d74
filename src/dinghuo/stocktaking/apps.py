from django.apps import AppConfig


class StocktakingConfig(AppConfig):
    name = "dinghuo.stocktaking"
    label = "stocktaking"
