from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin
from recruitment.timeutils import instant_text

from . import services
from .enums import STATUS_CONDITIONS, DeliveryStatus
from .models import Notification
from .permissions import can_resend
from .sms import SMS_KINDS


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return DeliveryStatus.choices

    def queryset(self, request, queryset):
        if self.value() in STATUS_CONDITIONS:
            return queryset.filter(STATUS_CONDITIONS[self.value()])
        return queryset


@admin.register(Notification)
class NotificationAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Read-only view of the outbox: what was sent to whom, what is waiting, and what failed and why.

    A row flagged ``secret`` (a password reset link, a verification code) is redacted for every role, the
    superuser included: its text and SMS parameters are never shown (the change page shows a note in their
    place), never searched (the search fields hold no text), and the outbox has no export. Delivery wipes
    them anyway (``notifications.services.deliver``); the member of staff who asked for a reset
    (``requested_by``) sees that it went out, never the link.

    The status column says where each row stands (``enums.DeliveryStatus``): waiting, waiting to retry (and
    when), failed permanently (with the reason), sent (accepted by the provider, with its id), delivered or
    not according to the provider's receipt. A row that failed permanently and holds no secret can be sent
    again (重新发送) by the roles that read the outbox, once its cause is fixed; each resend is audited.
    """

    list_display = ("created_at", "recipient", "channel", "subject", "requested_by", "status_text", "attempts")
    list_filter = (StatusFilter, "channel", ("sent_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("recipient__username", "recipient__email", "address", "subject", "event", "provider_id")
    list_select_related = ("recipient", "requested_by")
    date_hierarchy = "created_at"
    readonly_fields = (
        [f.name for f in Notification._meta.fields] + ["redacted_body", "redacted_sms_params", "status_text",
                                                       "sms_template"]
    )
    actions = ["resend"]
    # Read by the roles holding ``view_notification``; rows are written by ``notifications.services`` only.
    view_predicate = MODEL_PERMISSIONS

    def get_fields(self, request, obj=None):
        extra = {"redacted_body", "redacted_sms_params", "status_text", "sms_template"}
        fields = [name for name in super().get_fields(request, obj) if name not in extra]
        fields.insert(fields.index("channel") + 1, "status_text")
        fields = [("sms_template" if name == "sms_kind" else name) for name in fields]
        if obj is not None and obj.secret:
            replaced = {"body": "redacted_body", "sms_params": "redacted_sms_params"}
            return [replaced.get(name, name) for name in fields]
        return fields

    @admin.display(description=_("status"))
    def status_text(self, obj):
        status = obj.status
        if status == DeliveryStatus.RETRYING and obj.next_attempt_at is not None:
            return _("Waiting to retry at %(time)s") % {"time": instant_text(obj.next_attempt_at)}
        if status == DeliveryStatus.FAILED:
            return _("Failed permanently: %(reason)s") % {"reason": obj.last_error or "—"}
        if status == DeliveryStatus.UNDELIVERED:
            return _("Delivery failed: %(reason)s") % {"reason": obj.delivery_error}
        return status.label

    @admin.display(description=_("SMS template"))
    def sms_template(self, obj):
        kind = SMS_KINDS.get(obj.sms_kind)
        return f"{kind.label} ({kind.key})" if kind else (obj.sms_kind or "—")

    @admin.display(description=_("message"))
    def redacted_body(self, obj):
        if obj.sent_at is not None or obj.failed_at is not None:
            return _("Not shown: it carried a one-time secret (a password reset link); it was deleted once delivered.")
        return _("Not shown: it carries a one-time secret (a password reset link); it is deleted once delivered.")

    @admin.display(description=_("SMS template parameters"))
    def redacted_sms_params(self, obj):
        return _("Not shown: they carry a one-time secret.")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_resend(request.user):
            actions.pop("resend", None)
        return actions

    @admin.action(description=_("Send again (failed permanently, no secret)"))
    def resend(self, request, queryset):
        if not can_resend(request.user):
            self.message_user(request, _("You may not send notifications again."), messages.ERROR)
            return
        requeued = sum(services.resend(row, actor=request.user) for row in queryset)
        skipped = queryset.count() - requeued
        self.message_user(request, ngettext(
            "%(count)d notification queued to be sent again.",
            "%(count)d notifications queued to be sent again.", requeued) % {"count": requeued}, messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d notification skipped: only rows that failed permanently and hold no secret are sent again.",
                "%(count)d notifications skipped: only rows that failed permanently and hold no secret are sent again.",
                skipped) % {"count": skipped}, messages.WARNING)


# DingTalk robots, the alert outbox and 我的钉钉信息 (their own module).
from . import admin_dingtalk  # noqa: E402, F401
