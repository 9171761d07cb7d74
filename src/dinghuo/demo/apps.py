from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo wholesaler and the `dinghuo demo` command that loads it."""

    name = "dinghuo.demo"
    label = "demo"
