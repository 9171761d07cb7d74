from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "dinghuo.inventory"
    label = "inventory"
