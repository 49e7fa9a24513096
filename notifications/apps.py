from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Registers this app's Celery tasks, which the domain queues by name (recruitment.tasking.queue).
        # checks: registers the settings checks. DingTalk alerts: their sending task too, and the watch on Celery
        # jobs failing again and again.
        from . import alert_tasks, checks, task_watch, tasks  # noqa: F401

        task_watch.connect()
