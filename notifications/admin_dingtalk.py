"""The DingTalk admin: each campaign's group robot, the alert outbox, and one's own DingTalk ID (我的钉钉信息).

- **Robots** (``DingTalkRobot``): the campaign admin (and the superuser) views, adds and changes them (model
  permissions granted to the role by migration ``notifications 0005``); nobody else sees the page. The webhook's
  access token and the secret are never shown: the list masks them to their last four characters and the change
  form leaves both inputs blank ("leave empty to keep"), with the masked value as the placeholder. The page has no
  export. The action 发送测试消息 (POST) sends a test message to each selected robot and says what DingTalk
  answered.
- **Alerts** (``DingTalkAlert``): read-only, for operations and the campaign admin.
- **我的钉钉信息** (``admin:my_dingtalk``, linked from the user tools): any member of staff sets their own DingTalk
  user ID and mobile number, which alerts @-mention. GET shows, POST saves (written to the user's admin history).
"""

import urllib.parse

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin
from recruitment.validators import normalize_mobile, validate_mobile

from . import alerts, dingtalk
from .models import DingTalkAlert, DingTalkRobot

KEEP = gettext_lazy("Leave empty to keep the current value.")


def _has_access_token(url):
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    return bool(query.get("access_token", [""])[0])


class RobotForm(forms.ModelForm):
    """Webhook and secret are write-only: blank on the change form, kept when left empty."""

    webhook_url = forms.URLField(label=_("webhook"), max_length=500, required=False, assume_scheme="https")
    secret = forms.CharField(label=_("signing secret"), max_length=200, required=False,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))

    class Meta:
        model = DingTalkRobot
        fields = ["campaign", "webhook_url", "secret", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        robot = self.instance if self.instance.pk else None
        self.fields["webhook_url"].widget.attrs["autocomplete"] = "off"
        self.initial["secret"] = ""  # never sent to the browser, not even as a form's initial value
        if robot is None:
            self.fields["webhook_url"].required = True
            self.fields["secret"].required = True
            self.fields["webhook_url"].help_text = DingTalkRobot._meta.get_field("webhook_url").help_text
            self.fields["secret"].help_text = DingTalkRobot._meta.get_field("secret").help_text
            self.initial["webhook_url"] = ""
        else:
            self.initial["webhook_url"] = ""
            self.fields["webhook_url"].widget.attrs["placeholder"] = dingtalk.mask_webhook(robot.webhook_url)
            self.fields["secret"].widget.attrs["placeholder"] = dingtalk.mask(robot.secret)
            self.fields["webhook_url"].help_text = KEEP
            self.fields["secret"].help_text = KEEP

    def clean_webhook_url(self):
        url = self.cleaned_data.get("webhook_url", "").strip()
        if not url:
            return self.instance.webhook_url if self.instance.pk else url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost"):
            raise forms.ValidationError(gettext("The webhook must start with https://."), code="https")
        if not _has_access_token(url):
            raise forms.ValidationError(
                gettext("Paste the whole webhook, with its access_token: "
                        "https://oapi.dingtalk.com/robot/send?access_token=…"), code="access_token")
        return url

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "").strip()
        if not secret and self.instance.pk:
            return self.instance.secret
        return secret


@admin.register(DingTalkRobot)
class DingTalkRobotAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    form = RobotForm
    view_predicate = MODEL_PERMISSIONS
    manage_predicate = MODEL_PERMISSIONS
    list_display = ("campaign", "masked_webhook", "masked_secret", "active", "changed_by", "changed_at")
    list_filter = ("active",)
    search_fields = ("campaign__name", "campaign__slug")
    list_select_related = ("campaign", "changed_by")
    readonly_fields = ("changed_by", "changed_at")
    fields = ("campaign", "webhook_url", "secret", "active", "changed_by", "changed_at")
    actions = ["send_test_message"]

    def has_delete_permission(self, request, obj=None):
        return False  # switch a robot off (active) instead: its alerts' history stays readable

    @admin.display(description=_("webhook"))
    def masked_webhook(self, obj):
        return dingtalk.mask_webhook(obj.webhook_url)

    @admin.display(description=_("signing secret"))
    def masked_secret(self, obj):
        return dingtalk.mask(obj.secret)

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send a test message"), permissions=["change"])
    def send_test_message(self, request, queryset):
        for robot in queryset.select_related("campaign").order_by("campaign__slug"):
            ok, text = alerts.send_test_message(robot, actor=request.user)
            self.message_user(request, text, messages.SUCCESS if ok else messages.ERROR)


@admin.register(DingTalkAlert)
class DingTalkAlertAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """What was said in the DingTalk groups, and what still waits (throttled, back-off, a refused robot)."""

    view_predicate = MODEL_PERMISSIONS
    manage_predicate = None
    list_display = ("created_at", "campaign", "kind", "title", "status", "sent_at", "batch_size", "attempts")
    list_filter = ("status", "kind", "campaign")
    search_fields = ("title",)
    list_select_related = ("campaign",)
    date_hierarchy = "created_at"
    fields = ("campaign", "kind", "title", "text", "mentioned", "status", "created_at", "next_attempt_at", "sent_at",
              "sent_via", "batch_size", "attempts", "last_error")
    readonly_fields = fields

    @admin.display(description=_("mentions"))
    def mentioned(self, obj):
        return "、".join(m.get("name", "") for m in obj.mentions) or "-"


# --- 我的钉钉信息: one's own DingTalk user ID and mobile ------------------------------------------------


class MyDingTalkForm(forms.Form):
    dingtalk_user_id = forms.CharField(
        label=_("DingTalk user ID"), max_length=64, required=False,
        help_text=_("In DingTalk: your profile, or ask the organisation's administrator (管理后台 → 通讯录)."),
    )
    mobile = forms.CharField(
        label=_("mobile number"), max_length=20, required=False,
        help_text=_("The number DingTalk knows you by; used when no DingTalk user ID is given."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_dingtalk_user_id(self):
        value = self.cleaned_data["dingtalk_user_id"].strip()
        if any(ch.isspace() for ch in value):
            raise forms.ValidationError(gettext("A DingTalk user ID has no spaces."), code="spaces")
        return value

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if not value:
            return ""
        validate_mobile(value)
        value = normalize_mobile(value)
        if get_user_model().objects.filter(mobile=value).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(gettext("This mobile number belongs to another account."), code="taken")
        return value


def my_dingtalk_view(request):
    """GET shows the form with the staff member's values; POST saves them (a bad value keeps what was typed)."""
    user = request.user
    if request.method == "POST":
        form = MyDingTalkForm(request.POST, user=user)
        if form.is_valid():
            changed = [name for name in ("dingtalk_user_id", "mobile")
                       if form.cleaned_data[name] != getattr(user, name)]
            if changed:
                fields = list(changed)
                for name in changed:
                    setattr(user, name, form.cleaned_data[name])
                if "mobile" in changed:
                    user.mobile_verified_at = None  # a new number is not verified by an SMS code
                    fields.append("mobile_verified_at")
                user.save(update_fields=fields)
                LogEntry.objects.log_actions(
                    user_id=user.pk, queryset=[user], action_flag=CHANGE,
                    change_message=[{"changed": {"fields": [str(get_user_model()._meta.get_field(n).verbose_name)
                                                            for n in changed]}}],
                    single_object=True,
                )
            messages.success(request, gettext("Your DingTalk details were saved."))
            return redirect("admin:my_dingtalk")
    else:
        form = MyDingTalkForm(initial={"dingtalk_user_id": user.dingtalk_user_id, "mobile": user.mobile}, user=user)
    context = {
        **admin.site.each_context(request),
        "title": gettext("My DingTalk details"),
        "form": form,
    }
    return TemplateResponse(request, "admin/notifications/my_dingtalk.html", context)


_site_get_urls = admin.site.get_urls


def _get_urls():
    return [
        path("my-dingtalk/", admin.site.admin_view(my_dingtalk_view), name="my_dingtalk"),
        *_site_get_urls(),
    ]


admin.site.get_urls = _get_urls
