from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Read-only view of the outbox: what was sent to whom, and what is still waiting."""

    list_display = ("created_at", "recipient", "channel", "subject", "sent_at", "attempts")
    list_filter = ("channel", ("sent_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("recipient__username", "recipient__email", "address", "subject", "event")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    # Read by the roles holding ``view_notification``; rows are written by ``notifications.services`` only.
    view_predicate = MODEL_PERMISSIONS

    def get_fields(self, request, obj=None):
        # A secret row (a password reset link) is for its recipient only: staff see that it went out.
        fields = super().get_fields(request, obj)
        return [name for name in fields if name != "body"] if obj is not None and obj.secret else fields

    @admin.display(description=_("sent"), boolean=True)
    def is_sent(self, obj):
        return obj.sent_at is not None
