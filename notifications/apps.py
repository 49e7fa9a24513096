from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Registers this app's Celery tasks, which the domain queues by name (recruitment.tasking.queue).
        from . import checks, tasks  # noqa: F401  (checks: registers the settings checks)
