from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True  # the app's own configuration (AxesConfig below is django-axes')
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Registers this app's Celery task (the daily purge of old SMS code requests) for beat and the worker.
        from . import tasks  # noqa: F401


class AxesConfig(AxesAppConfig):
    """django-axes (login throttling) under a name staff can read in the admin's menu (the library names
    its app "Axes"); everything else is the library's own configuration."""

    verbose_name = _("Login attempts")
