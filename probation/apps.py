from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProbationConfig(AppConfig):
    name = "probation"
    verbose_name = _("Probation")

    def ready(self):
        # Registers this app's Celery tasks, which the domain queues by name (recruitment.tasking.queue);
        # audit details name this app's codes (audit.display, a lower layer, cannot import them).
        from audit.display import choice_label, register_code_names

        from . import tasks  # noqa: F401
        from .enums import ViolationKind
        from .wording import KIND_LABELS, reason_label

        register_code_names("note", reason_label)
        register_code_names("kind", lambda code: KIND_LABELS.get(code) or choice_label(ViolationKind, code))

        # 复制为新一轮 takes the check items along, their dates moved (recruitment.copying).
        from recruitment.copying import register_copier

        from .copying import copy_check_items

        register_copier("probation", copy_check_items)
