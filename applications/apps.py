from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        # The submission confirmation's receipt (confirmation_sent_at): notifications, a lower layer, calls it.
        from notifications.services import register_receipt

        from .services import record_confirmation_sent

        register_receipt("submitted", record_confirmation_sent)
