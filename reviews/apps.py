from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        # Registers this app's Celery tasks, which the domain queues by name (recruitment.tasking.queue);
        # audit details name this app's codes (audit.display, a lower layer, cannot import them).
        from audit.display import choice_label, register_code_names
        from recruitment.copying import register_copier

        from . import tasks  # noqa: F401
        from .copying import copy_review_setup
        from .enums import CallOutcome, rule_title

        # 复制为新一轮 takes the checklist, the risk rules and the rubric along (recruitment.copying).
        register_copier("reviews", copy_review_setup)

        register_code_names("failed_rules", rule_title)
        register_code_names("outcome", lambda code: choice_label(CallOutcome, code))
