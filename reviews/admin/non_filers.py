"""The filing deadline's two decisions, as actions of the round-2 queue (系统备案 + 风险评估).

- 未按时备案 (close out): the risk officer ticks applications still waiting for their filing after the
  deadline; a preview lists who will be closed out (with when each passed round 1 and the reminders it
  was sent) and who will not, and why; only the confirmation closes them out
  (``reviews.filing.close_out_non_filer``).
- 恢复备案 (reopen the filing): the campaign admin gives a closed-out application its filing back, with
  a reason, until publication (``reviews.filing.reopen_filing``).

Both are Django's action-with-confirmation pattern (the confirmation posts the action again with
``post=yes``), so they add no URL of their own. Nothing here decides: the domain functions check, lock,
audit and notify.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from applications.services import ApplicationError

from .. import filing, permissions


class ReopenFilingForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required; kept in the audit trail. The applicant is told that the filing is open again."),
    )


class NonFilerActionsMixin:
    """Adds the close-out and reopen actions to a change list of applications (the round-2 queue)."""

    non_filer_actions = ["close_out_non_filers", "reopen_filing"]

    def has_close_out_permission(self, request):
        return permissions.can_close_out_non_filers(request.user)

    def has_reopen_filing_permission(self, request):
        return permissions.can_reopen_filing(request.user)

    def _confirmation(self, request, template, title, **context):
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            **context,
        })

    @admin.action(description=_("Close out: not filed by the deadline (未按时备案)"), permissions=["close_out"])
    def close_out_non_filers(self, request, queryset):
        """GET-like first step: the preview (writes nothing); ``post=yes``: close out the listed ones."""
        now = timezone.now()
        applications = queryset.select_related("campaign").order_by("campaign", "pk")
        if request.POST.get("post") == "yes":
            closed = 0
            for application in applications:
                try:
                    filing.close_out_non_filer(application, actor=request.user, now=now)
                except ApplicationError as error:
                    self.message_user(request, gettext("%(application)s: not closed out. %(reason)s")
                                      % {"application": application, "reason": error}, messages.WARNING)
                else:
                    closed += 1
            if closed:
                self.message_user(request, ngettext(
                    "%(count)s application closed out as not filed by the deadline (未按时备案).",
                    "%(count)s applications closed out as not filed by the deadline (未按时备案).", closed,
                ) % {"count": closed}, messages.SUCCESS)
            return None
        rows = filing.close_out_preview(applications, now)
        return self._confirmation(
            request, "admin/filing/close_out.html", gettext("Close out: not filed by the deadline (未按时备案)"),
            rows=rows, closable=[row for row in rows if not row.refusal],
        )

    @admin.action(description=_("Reopen the filing (恢复备案)"), permissions=["reopen_filing"])
    def reopen_filing(self, request, queryset):
        """The confirmation asks for the reason; ``post=yes`` with a reason reopens each listed application."""
        applications = list(queryset.select_related("campaign").order_by("campaign", "pk"))
        form = ReopenFilingForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            reopened = 0
            for application in applications:
                try:
                    filing.reopen_filing(application, actor=request.user, reason=form.cleaned_data["reason"])
                except ApplicationError as error:
                    self.message_user(request, gettext("%(application)s: filing not reopened. %(reason)s")
                                      % {"application": application, "reason": error}, messages.WARNING)
                else:
                    reopened += 1
            if reopened:
                self.message_user(request, ngettext(
                    "%(count)s application is waiting for its filing again; the applicant was told.",
                    "%(count)s applications are waiting for their filing again; the applicants were told.", reopened,
                ) % {"count": reopened}, messages.SUCCESS)
            return None
        rows = [(application, filing.reopen_refusal(application)) for application in applications]
        return self._confirmation(
            request, "admin/filing/reopen.html", gettext("Reopen the filing (恢复备案)"),
            rows=rows, reopenable=[application for application, refusal in rows if not refusal], form=form,
        )
