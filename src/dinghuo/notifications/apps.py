from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "dinghuo.notifications"
    label = "notifications"
    verbose_name = "Notifications"
