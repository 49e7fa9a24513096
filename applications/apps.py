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

        # Audit details name this app's codes (audit.display, a lower layer, cannot import them).
        from audit.display import choice_label, register_code_names

        from .enums import PendingDecision

        register_code_names("decision", lambda code: choice_label(PendingDecision, code))

        # 复制为新一轮 takes the custom questions along (recruitment.copying).
        from recruitment.copying import register_copier

        from .copying import copy_custom_questions

        register_copier("applications", copy_custom_questions)
