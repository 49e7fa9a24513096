from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Read-only view of the outbox: what was sent to whom, and what is still waiting.

    A row flagged ``secret`` (a password reset link) is redacted for every role, the superuser included:
    its text is never shown (the change page shows a note in its place), never searched (the search
    fields hold no text), and the outbox has no export. Delivery wipes the text anyway
    (``notifications.services.deliver``); the member of staff who asked for a reset (``requested_by``)
    sees that it went out, never the link.
    """

    list_display = ("created_at", "recipient", "channel", "subject", "requested_by", "sent_at", "attempts")
    list_filter = ("channel", ("sent_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("recipient__username", "recipient__email", "address", "subject", "event")
    list_select_related = ("recipient", "requested_by")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields] + ["redacted_body"]
    # Read by the roles holding ``view_notification``; rows are written by ``notifications.services`` only.
    view_predicate = MODEL_PERMISSIONS

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "redacted_body"]
        if obj is not None and obj.secret:
            # The SMS template's parameters of a secret row are the secret itself (a code): never shown.
            return [("redacted_body" if name == "body" else name) for name in fields if name != "sms_params"]
        return fields

    @admin.display(description=_("message"))
    def redacted_body(self, obj):
        if obj.sent_at is not None:
            return _("Not shown: it carried a one-time secret (a password reset link); it was deleted once delivered.")
        return _("Not shown: it carries a one-time secret (a password reset link); it is deleted once delivered.")

    @admin.display(description=_("sent"), boolean=True)
    def is_sent(self, obj):
        return obj.sent_at is not None
