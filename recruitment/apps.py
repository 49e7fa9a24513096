from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = _("Campaigns")

    def ready(self):
        from .admin_widgets import translate_boolean_icons

        translate_boolean_icons()
