"""Applicant pages: the questionnaire (/apply/), attachments and the status page (/status/).

Views are thin: they find the user's application, check a named predicate from ``permissions``,
call a ``services`` function and show its ``ApplicationError`` message when it refuses.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.models import Channel, Notification
from probation.progress import leader_progress
from recruitment.context_processors import get_current_campaign, remember_current_campaign
from reviews.forms import FilingForm

from . import permissions, questionnaire, services
from .enums import SUPPLEMENT_APPLICANT_STATUSES, ApplicantStatus, ApplicationStatus, AttachmentKind
from .forms import SECTION_FORMS, AttachmentForm, CaseFormSet, CustomSectionForm
from .models import Attachment
from .uploads import MAX_ATTACHMENTS, size_limit_mb
from .visibility import applicant_status, status_timeline


def _my_application(request):
    """(current campaign, the user's application in it or ``None``): one query when the application exists."""
    application = services.application_in_current_campaign(request.user)
    if application is not None:
        remember_current_campaign(request, application.campaign)
        return application.campaign, application
    return get_current_campaign(request), None


def _followed_application(request):
    """(campaign, application) the status page's actions default to; see services.followed_application."""
    application = services.followed_application(request.user)
    if application is None:
        return get_current_campaign(request), None
    if application.campaign.is_current:
        remember_current_campaign(request, application.campaign)
    return application.campaign, application


def chosen_application(request, params):
    """(campaign, application) a page or an action is about.

    ``params["application"]`` (a query or form field) names one of the user's own applications; any
    other value is a 404, exactly like an id that does not exist, so nothing is revealed. Without it,
    the followed application (the one in the current campaign, else the latest).
    """
    raw = params.get("application", "")
    if not raw:
        return _followed_application(request)
    application = services.own_application(request.user, raw) if raw.isdigit() else None
    if application is None:
        raise Http404
    if application.campaign.is_current:
        remember_current_campaign(request, application.campaign)
    return application.campaign, application


def _locked(request, application, message=None):
    """403 for a POST that would change a locked application; nothing is changed."""
    message = message or _(
        "Your application has been submitted, so its answers and files can no longer be changed. "
        "If the window is still open you can withdraw it on the status page and edit it again."
    )
    return render(request, "applications/locked.html", {"application": application, "message": message}, status=403)


def _context(request, application, section=None):
    sections = questionnaire.sections_for(application.campaign)
    missing = questionnaire.missing_answers(application, sections=sections)
    now = timezone.now()
    shown = applicant_status(application, now)
    return {
        "application": application,
        "shown_status": shown,
        "shown_status_label": shown.label,
        "campaign": application.campaign,
        "section": section,
        "sections_of_campaign": sections,
        "steps": questionnaire.section_states(application, current=section, sections=sections, missing=missing),
        "missing": missing,
        "progress": questionnaire.progress(application, missing, sections=sections),
        "editable": permissions.can_edit_answers(request.user, application),
        "window_state": application.campaign.window_state(now),
        "can_submit": permissions.can_submit(request.user, application, now),
        "next_section": questionnaire.next_section(section, application.campaign) if section else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    """Entry point (我的申请). GET never writes: without an application in the current campaign it shows
    the start page, whose button (开始填写) POSTs here to create the draft; with one, it goes to the
    first incomplete section (a draft) or to the answers (anything else)."""
    campaign, application = _my_application(request)
    if application is None:
        if campaign is None:
            return render(request, "applications/closed.html", {"campaign": None})
        try:
            if request.method != "POST":
                services.check_can_start(campaign)
                return _start_page(request, campaign)
            application = services.start_application(request.user, campaign=campaign)
        except services.ApplicationError as error:
            return render(request, "applications/closed.html", {"campaign": campaign, "message": error.message})
    if not application.is_editable:
        return redirect("applications:overview")
    section = questionnaire.first_incomplete_section(application)
    if section is None:
        return redirect("applications:overview")
    return redirect("applications:section", section=section.slug)


def _start_page(request, campaign):
    earlier = services.applications_of(request.user)
    return render(request, "applications/start.html", {
        "campaign": campaign, "window_state": campaign.window_state(), "has_earlier": earlier.exists(),
    })


@login_required
@require_GET
def overview(request):
    """Every answer on one page, read-only: the applicant's copy of what was (or will be) submitted.

    ``?application=<id>`` shows another of the user's own applications (the status page links each).
    """
    _campaign, application = chosen_application(request, request.GET)
    if application is None:
        return redirect("applications:apply")
    context = _context(request, application)
    context["sections"] = [
        {
            "section": s,
            "answers": questionnaire.answers(application, s),
            "missing": [m for m in context["missing"] if m.section.slug == s.slug],
        }
        for s in context["sections_of_campaign"]
    ]
    context["removed_answers"] = questionnaire.removed_answers(application)
    context["cases"] = application.cases.all()
    context["attachments"] = application.attachments.all()
    return render(request, "applications/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def section(request, section):
    _campaign, application = _my_application(request)
    if application is None:
        return redirect("applications:apply")
    current = questionnaire.get_section(section, application.campaign)
    if current is None:
        raise Http404
    if request.method == "POST" and not permissions.can_edit_answers(request.user, application):
        if _is_submit(request, current):
            return _submitted_again(request, application)
        return _locked(request, application)
    if current.kind == "cases":
        return _cases_section(request, application, current)
    if current.kind == "attachments":
        return _attachments_section(request, application, current)
    return _form_section(request, application, current)


def _after_save(request, application, current):
    if request.POST.get("action") == "next":
        following = questionnaire.next_section(current, application.campaign)
        if following is not None:
            return redirect("applications:section", section=following.slug)
    return redirect("applications:section", section=current.slug)


def _form_section(request, application, current):
    form_class = SECTION_FORMS.get(current.slug, CustomSectionForm)
    editable = permissions.can_edit_answers(request.user, application)
    form = (
        form_class(request.POST or None, request.FILES or None, instance=application, section=current)
        if editable else None
    )
    if request.method == "POST":
        try:
            saved = form.is_valid() and services.save_answers(form)
        except services.AnswersLocked as error:  # submitted by a concurrent request since this one began
            if _is_submit(request, current):
                return _submitted_again(request, application)
            return _locked(request, application, error.message)
        if saved:
            if _is_submit(request, current):
                return _submit(request, application)
            messages.success(request, _("Draft saved."))
            return _after_save(request, application, current)
        messages.error(request, _("Some answers need correcting (marked in red). This section was not saved yet."))
    context = _context(request, application, current)
    context.update(form=form, answers=questionnaire.answers(application, current))
    template = "applications/section_declaration.html" if current.kind == "declaration" else "applications/section.html"
    return render(request, template, context)


def _is_submit(request, current):
    return current.kind == "declaration" and request.POST.get("action") == "submit"


def _submitted(request):
    """The answer to a submission, and to every repetition of it (double click, resent form, concurrent
    requests of one session): the status page with the same message."""
    if services.confirmation_channel(request.user) == Channel.SMS:
        messages.success(request, _("Your application has been submitted. A confirmation text message is on its way."))
    else:
        messages.success(request, _("Your application has been submitted. A confirmation e-mail is on its way."))
    return redirect("applications:status")


def _submitted_again(request, application):
    """A submit of an application that is no longer a draft: answered like the first submission if the
    applicant sees it submitted (whatever staff decided since), else the locked page (e.g. withdrawn)."""
    application.refresh_from_db()
    if applicant_status(application) in {ApplicantStatus.DRAFT, ApplicantStatus.WITHDRAWN}:
        return _locked(request, application)
    return _submitted(request)


def _submit(request, application):
    try:
        # Judged at arrival (recruitment.middleware.ArrivalTimeMiddleware), not when a busy worker got to it.
        services.submit_application(application, actor=request.user, now=getattr(request, "received_at", None))
    except services.AlreadySubmitted:
        return _submitted(request)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:section", section="declaration")
    return _submitted(request)


def _cases_section(request, application, current):
    editable = permissions.can_edit_answers(request.user, application)
    formset = CaseFormSet(request.POST or None, instance=application, prefix="cases") if editable else None
    if request.method == "POST":
        if formset.is_valid():
            try:
                services.save_cases(formset)
            except services.AnswersLocked as error:  # submitted by a concurrent request since this one began
                return _locked(request, application, error.message)
            messages.success(request, _("Draft saved."))
            return _after_save(request, application, current)
        messages.error(request, _("Some answers need correcting (marked in red). This section was not saved yet."))
    context = _context(request, application, current)
    context.update(formset=formset, cases=application.cases.all())
    return render(request, "applications/section_cases.html", context)


def _attachments_section(request, application, current):
    form = AttachmentForm(request.POST or None, request.FILES or None, campaign=application.campaign)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_attachment(
                    application, upload=form.checked, actor=request.user,
                    description=form.cleaned_data["description"],
                )
            except services.AnswersLocked as error:
                return _locked(request, application, error.message)
            except services.ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("File uploaded: %(name)s") % {"name": form.checked.name})
                return redirect("applications:section", section=current.slug)
        else:
            messages.error(request, _("The file was not uploaded."))
    context = _context(request, application, current)
    context.update(
        form=form,
        attachments=application.attachments.all(),
        max_files=MAX_ATTACHMENTS,
        limit_mb=size_limit_mb(application.campaign, AttachmentKind.SUPPORTING),
    )
    return render(request, "applications/section_attachments.html", context)


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("application"), pk=pk)
    if not permissions.is_owner(request.user, attachment.application):
        raise Http404
    if not permissions.can_delete_attachment(request.user, attachment):
        return _locked(request, attachment.application)
    name = attachment.original_name
    try:
        services.delete_attachment(attachment, actor=request.user)
    except services.AnswersLocked as error:
        return _locked(request, attachment.application, error.message)
    messages.success(request, _("File deleted: %(name)s") % {"name": name})
    return redirect("applications:section", section="attachments")


ATTACHMENT_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def content_disposition(filename):
    """``attachment`` with an ASCII fallback and the UTF-8 name per RFC 5987 / RFC 6266."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{escape_uri_path(filename)}"


@login_required
@require_GET
def attachment_download(request, pk):
    """Stream a file to its owner or to staff allowed to view applications; 404 to anyone else."""
    attachment = get_object_or_404(Attachment.objects.select_related("application"), pk=pk)
    if not permissions.can_view_attachment(request.user, attachment):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Should a browser render it anyway (an old one, a PDF viewer): no script, no requests, no frames.
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    return response


# --- Status ----------------------------------------------------------------------------------------
# Every application and leader role of the account, newest first, in the applicant's words: what is
# shown follows ``visibility.applicant_status`` (outcomes hidden until published) and each action
# names the application it is about (a hidden ``application`` field, 404 for anyone else's).

A = ApplicantStatus


def _entry(request, application, now, *, suffix, filing_form=None, supplement_form=None):
    """What the status page shows of one application (its own block, actions and history)."""
    campaign = application.campaign
    shown = applicant_status(application, now)
    entry = {
        "kind": "application",
        "sfx": suffix,
        "application": application,
        "campaign": campaign,
        "window_state": campaign.window_state(now),
        "shown_status": shown,
        "published": campaign.results_are_published(now),
        "changes": status_timeline(application, now),
        "can_withdraw": permissions.can_withdraw(request.user, application, now),
        "can_reopen": permissions.can_reopen(request.user, application, now),
        "can_submit": permissions.can_submit(request.user, application, now),
        "filed": getattr(application, "filing", None) if shown == A.FILED else None,
    }
    if application.status == ApplicationStatus.DRAFT:
        # Only a draft shows what is missing (two queries); a submitted application's answers are complete.
        missing = questionnaire.missing_answers(application)
        entry.update(missing=missing, progress=questionnaire.progress(application, missing))
    if shown == A.FILING:
        entry["filing_deadline_passed"] = campaign.filing_deadline_passed(now)
    if shown == A.FILING and permissions.is_owner(request.user, application):
        entry["filing_form"] = filing_form or FilingForm(auto_id=f"id{suffix}_%s")
    if shown in SUPPLEMENT_APPLICANT_STATUSES and permissions.is_owner(request.user, application):
        entry["supplement_form"] = supplement_form or AttachmentForm(
            campaign=campaign, kind=AttachmentKind.SUPPLEMENTARY, auto_id=f"id{suffix}_%s"
        )
        entry["supplement_limit_mb"] = size_limit_mb(campaign, AttachmentKind.SUPPLEMENTARY)
        entry["supplements"] = application.attachments.filter(kind=AttachmentKind.SUPPLEMENTARY)
    leader = getattr(application, "leader", None) if shown == A.SELECTED else None
    if leader is not None:
        entry["probation_progress"] = leader_progress(leader, now=now)
    return entry


def render_status(request, *, filing_form=None, supplement_form=None, for_application=None, status=200):
    """The status page; the filing and upload views re-render it with their bound forms on errors
    (``for_application``: the application the bound form belongs to)."""
    now = timezone.now()
    applications = list(
        services.applications_of(request.user).select_related("leader", "filing").prefetch_related("status_changes")
    )
    current = next((a.campaign for a in applications if a.campaign.is_current), None)
    if current is not None:
        remember_current_campaign(request, current)
    else:
        current = get_current_campaign(request)
    entries = []
    if current is not None and not any(a.campaign_id == current.pk for a in applications):
        entries.append({"kind": "start", "sfx": "", "campaign": current, "window_state": current.window_state(now)})
    for application in applications:
        bound = for_application is not None and application.pk == for_application.pk
        entries.append(_entry(
            request, application, now, suffix=f"-{len(entries) + 1}" if entries else "",
            filing_form=filing_form if bound else None, supplement_form=supplement_form if bound else None,
        ))
    first = next((e for e in entries if e["kind"] == "application"), entries[0] if entries else {})
    context = {
        "entries": entries,
        "now": now,
        # The newest application and its campaign (else the current campaign), for the page title.
        "campaign": first.get("campaign"),
        "application": first.get("application"),
        "notifications": Notification.objects.filter(recipient=request.user, channel=Channel.IN_APP)[:20],
    }
    return render(request, "applications/status.html", context, status=status)


@login_required
@require_GET
def status(request):
    return render_status(request)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request):
    """GET asks for confirmation; POST withdraws (撤回申请) the application named by ``application``."""
    _campaign, application = chosen_application(request, request.POST if request.method == "POST" else request.GET)
    if application is None or not permissions.is_owner(request.user, application):
        raise Http404
    if request.method == "POST":
        try:
            services.withdraw_application(
                application, actor=request.user, reason=request.POST.get("reason", "").strip()[:500]
            )
        except services.ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect("applications:status")
    if not permissions.can_withdraw(request.user, application):
        messages.error(request, _("This application cannot be withdrawn now."))
        return redirect("applications:status")
    return render(request, "applications/withdraw_confirm.html", {"application": application,
                                                                   "campaign": application.campaign})


@login_required
@require_POST
def reopen(request):
    _campaign, application = chosen_application(request, request.POST)
    if application is None:
        raise Http404
    try:
        services.reopen_application(application, actor=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:status")
    messages.success(request, _("Your application is a draft again. Submit it again before the deadline."))
    return redirect(reverse("applications:section", args=["declaration"]))
