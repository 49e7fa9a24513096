from axes import admin as axes_admin  # noqa: F401  (registers the login-attempt admins, adopted below)
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.sites.shortcuts import get_current_site
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from notifications.models import Channel
from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin, adopt

from . import permissions, services
from .models import User

# Accounts a 重置密码 may be asked for at once: a slip of "select all" must not text every applicant.
RESET_BATCH_LIMIT = 10

# What operations see of an applicant account (read-only): no password summary, groups or permissions.
APPLICANT_FIELDSETS = (
    (None, {"fields": ("username", "mobile", "email", "first_name", "last_name")}),
    (_("Important dates"), {"fields": ("is_active", "date_joined", "last_login", "mobile_verified_at")}),
)


@admin.register(User)
class UserAdmin(PredicatePermissionsMixin, DjangoUserAdmin):
    """Django's user admin with the mobile number an applicant may have signed up with, and 重置密码.

    Those with Django's user permissions (the superuser) see every account. Operations
    (``permissions.can_reset_passwords``) see the applicant accounts only, read-only, to send one a
    one-time reset link (``services.request_password_reset``). Nobody sets an applicant's password here:
    Django's set-password form refuses applicant accounts.
    """

    view_predicate = permissions.can_view_accounts
    manage_predicate = MODEL_PERMISSIONS
    actions = ["reset_password"]
    list_display = ("username", "mobile", "email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "mobile", "email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Contact"), {"fields": ("mobile", "email", "first_name", "last_name", "dingtalk_user_id")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "mobile_verified_at")}),
    )
    # 手机号已验证: written only by an SMS code (accounts.mobile), never by hand.
    readonly_fields = ("mobile_verified_at",)
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "mobile", "email", "usable_password", "password1", "password2"),
            },
        ),
    )

    # --- What operations see: applicant accounts, read-only -----------------------------------------

    def _full(self, request):
        return permissions.can_manage_accounts(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._full(request):
            return queryset
        return queryset.filter(is_staff=False, is_superuser=False)

    def get_list_display(self, request):
        if self._full(request):
            return super().get_list_display(request)
        return ("username", "mobile", "email", "is_active", "date_joined", "last_login")

    def get_list_filter(self, request):
        return super().get_list_filter(request) if self._full(request) else ()

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self._full(request):
            return APPLICANT_FIELDSETS
        return super().get_fieldsets(request, obj)

    # --- 重置密码 ------------------------------------------------------------------------------------

    def has_reset_password_permission(self, request):
        return permissions.can_reset_passwords(request.user)

    @admin.action(description=_("Reset password: a one-time link by e-mail or a code by SMS"),
                  permissions=["reset_password"])
    def reset_password(self, request, queryset):
        """Ask first (which account, which channel); on ``confirm`` send each a link (a code by SMS) through
        the outbox. The member of staff is told where each went, never the link or code.
        """
        accounts = list(queryset.order_by("username")[: RESET_BATCH_LIMIT + 1])
        if len(accounts) > RESET_BATCH_LIMIT:
            self.message_user(
                request,
                ngettext(
                    "Reset at most %(limit)d account at a time.", "Reset at most %(limit)d accounts at a time.",
                    RESET_BATCH_LIMIT,
                ) % {"limit": RESET_BATCH_LIMIT},
                messages.ERROR,
            )
            return None
        if request.POST.get("confirm") != "yes":
            return self._reset_confirmation(request, accounts)
        domain, use_https = get_current_site(request).domain, request.is_secure()
        for account in accounts:
            try:
                row = services.request_password_reset(account, actor=request.user, domain=domain, use_https=use_https)
            except services.PasswordResetRefused as refused:
                self.message_user(request, refused.message, messages.ERROR)
                continue
            if row.channel == Channel.SMS:
                text = gettext(
                    "A one-time code to choose a new password is on its way by SMS to %(address)s (account "
                    "%(account)s); the applicant enters it on the “Reset by SMS” page. Only the applicant receives "
                    "it: it is not shown to you or anyone else."
                )
            else:
                text = gettext(
                    "A one-time link to choose a new password is on its way by %(channel)s to %(address)s (account "
                    "%(account)s). Only the applicant receives it: it is not shown to you or anyone else."
                )
            self.message_user(
                request,
                text % {"account": account.username, "channel": row.get_channel_display(), "address": row.address},
                messages.SUCCESS,
            )
        return None

    def _reset_confirmation(self, request, accounts):
        rows = [
            {
                "account": account,
                "channel": services.password_reset_channel(account),
                "allowed": permissions.can_reset_password_of(request.user, account),
            }
            for account in accounts
        ]
        for row in rows:
            row["address"] = {"email": row["account"].email, "sms": row["account"].mobile}.get(row["channel"], "")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reset password"),
            "opts": self.opts,
            "rows": rows,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse("admin:accounts_user_changelist"),
        }
        return TemplateResponse(request, "admin/accounts/user/reset_password_confirm.html", context)

    def user_change_password(self, request, id, form_url=""):
        """Django's set-password form, for staff accounts only: an applicant's password is never set by hand."""
        account = self.get_object(request, unquote(id))
        if account is not None and permissions.is_applicant_account(account):
            self.message_user(
                request,
                gettext("Staff never set an applicant's password: use “Reset password” to send a one-time link."),
                messages.ERROR,
            )
            return redirect(reverse("admin:accounts_user_change", args=[account.pk]))
        return super().user_change_password(request, id, form_url)


# Django's group admin and django-axes' login-attempt admins go through the same mixin (query-string
# rules, seconds kept) with their permissions unchanged. ``axes`` comes after this app in INSTALLED_APPS:
# its admin module is imported above so that its registrations exist to be adopted.
for _model in (Group, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        adopt(_model)
