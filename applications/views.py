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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.models import Channel, Notification
from probation.progress import leader_progress
from recruitment.context_processors import get_current_campaign, remember_current_campaign
from reviews import filing
from reviews.forms import FilingForm

from . import permissions, questionnaire, services
from .enums import OUTCOME_STATES, ApplicationStatus, AttachmentKind
from .forms import SECTION_FORMS, AttachmentForm, CaseFormSet
from .models import Attachment
from .uploads import MAX_ATTACHMENTS, size_limit_mb


def _my_application(request):
    """(current campaign, the user's application in it or ``None``): one query when the application exists."""
    application = services.application_in_current_campaign(request.user)
    if application is not None:
        remember_current_campaign(request, application.campaign)
        return application.campaign, application
    return get_current_campaign(request), None


def _followed_application(request):
    """(campaign, application) for the status page and its actions; see services.followed_application."""
    application = services.followed_application(request.user)
    if application is None:
        return get_current_campaign(request), None
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
    missing = questionnaire.missing_answers(application)
    now = timezone.now()
    shown = filing.applicant_status(application, now)
    return {
        "application": application,
        "shown_status": shown,
        "shown_status_label": ApplicationStatus(shown).label,
        "campaign": application.campaign,
        "section": section,
        "steps": questionnaire.section_states(application, current=section),
        "missing": missing,
        "progress": questionnaire.progress(application, missing),
        "editable": permissions.can_edit_answers(request.user, application),
        "window_state": application.campaign.window_state(now),
        "can_submit": permissions.can_submit(request.user, application, now),
        "next_section": questionnaire.next_section(section) if section else None,
    }


@login_required
@require_GET
def apply(request):
    """Entry point: create the draft on the first visit, then go to the first incomplete section."""
    campaign, application = _my_application(request)
    if application is None:
        if campaign is None:
            return render(request, "applications/closed.html", {"campaign": None})
        try:
            application = services.start_application(request.user, campaign=campaign)
        except services.ApplicationError as error:
            return render(request, "applications/closed.html", {"campaign": campaign, "message": error.message})
    if not application.is_editable:
        return redirect("applications:overview")
    section = questionnaire.first_incomplete_section(application)
    if section is None:
        return redirect("applications:overview")
    return redirect("applications:section", section=section.slug)


@login_required
@require_GET
def overview(request):
    """Every answer on one page, read-only: the applicant's copy of what was (or will be) submitted."""
    _campaign, application = _followed_application(request)
    if application is None:
        return redirect("applications:apply")
    context = _context(request, application)
    context["sections"] = [
        {
            "section": s,
            "answers": questionnaire.answers(application, s),
            "missing": [m for m in context["missing"] if m.section.slug == s.slug],
        }
        for s in questionnaire.SECTIONS
    ]
    context["cases"] = application.cases.all()
    context["attachments"] = application.attachments.all()
    return render(request, "applications/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def section(request, section):
    _campaign, application = _my_application(request)
    if application is None:
        return redirect("applications:apply")
    current = questionnaire.get_section(section)
    if current is None:
        raise Http404
    if request.method == "POST" and not permissions.can_edit_answers(request.user, application):
        return _locked(request, application)
    if current.kind == "cases":
        return _cases_section(request, application, current)
    if current.kind == "attachments":
        return _attachments_section(request, application, current)
    return _form_section(request, application, current)


def _after_save(request, application, current):
    if request.POST.get("action") == "next":
        following = questionnaire.next_section(current)
        if following is not None:
            return redirect("applications:section", section=following.slug)
    return redirect("applications:section", section=current.slug)


def _form_section(request, application, current):
    form_class = SECTION_FORMS[current.slug]
    editable = permissions.can_edit_answers(request.user, application)
    form = form_class(request.POST or None, instance=application) if editable else None
    if request.method == "POST":
        if form.is_valid() and services.save_answers(form):
            if current.kind == "declaration" and request.POST.get("action") == "submit":
                return _submit(request, application)
            messages.success(request, _("Draft saved."))
            return _after_save(request, application, current)
        messages.error(request, _("Some answers need correcting (marked in red). This section was not saved yet."))
    context = _context(request, application, current)
    context.update(form=form, answers=questionnaire.answers(application, current))
    template = "applications/section_declaration.html" if current.kind == "declaration" else "applications/section.html"
    return render(request, template, context)


def _submit(request, application):
    try:
        # Judged at arrival (recruitment.middleware.ArrivalTimeMiddleware), not when a busy worker got to it.
        services.submit_application(application, actor=request.user, now=getattr(request, "received_at", None))
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:section", section="declaration")
    messages.success(request, _("Your application has been submitted. A confirmation e-mail is on its way."))
    return redirect("applications:status")


def _cases_section(request, application, current):
    editable = permissions.can_edit_answers(request.user, application)
    formset = CaseFormSet(request.POST or None, instance=application, prefix="cases") if editable else None
    if request.method == "POST":
        if formset.is_valid():
            services.save_cases(formset)
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
# The whole pipeline in the applicant's words. What is shown follows ``reviews.filing.applicant_status``:
# before publication an outcome reads exactly like the review state it was decided in, and the
# timeline leaves out every change the applicant may not know about yet.

S = ApplicationStatus

# Changes an applicant always sees in the timeline (their own steps and the round-1 pass they were
# notified of). Round 3 is internal; outcomes appear once published, as one neutral entry.
TIMELINE_STATES = {S.DRAFT, S.SUBMITTED, S.WITHDRAWN, S.FILING, S.RISK_REVIEW}
APPLICANT_LABELS = {
    S.FILING: gettext_lazy("Round 1 passed, system filing to complete"),
    S.RISK_REVIEW: gettext_lazy("System filing completed, under review"),
}


def _applicant_label(status):
    return APPLICANT_LABELS.get(status) or ApplicationStatus(status).label


def status_timeline(application, *, published):
    """The applicant's history: visible changes oldest first, then the published outcome, if any."""
    entries = []
    for change in application.status_changes.filter(to_status__in=TIMELINE_STATES).order_by("created_at", "id"):
        own = change.actor_id is not None and change.actor_id == application.applicant_id
        entries.append({
            "at": change.created_at,
            # A withdrawal of a round-1 rejection nobody has been told about reads as one of a submission.
            "from_label": _applicant_label(S.SUBMITTED if change.from_status in OUTCOME_STATES else change.from_status),
            "to_label": _applicant_label(change.to_status),
            "by": "you" if own else ("staff" if change.actor_id else ""),
            "reason": change.reason if own else "",
        })
    if published and application.status in OUTCOME_STATES:
        campaign = application.campaign
        entries.append({
            "at": max(campaign.results_published_at, campaign.published_at),
            "from_label": _("Under review"),
            "to_label": _("Selected") if application.status == S.SELECTED else _("Not selected"),
            "by": "",
            "reason": "",
        })
    return entries


def render_status(request, *, filing_form=None, supplement_form=None, status=200):
    """The status page; the filing and upload views re-render it with their bound forms on errors."""
    campaign, application = _followed_application(request)
    now = timezone.now()
    context = {"campaign": campaign, "application": application, "now": now}
    if campaign is not None:
        context["window_state"] = campaign.window_state(now)
    if application is not None:
        shown = filing.applicant_status(application, now)
        published = campaign.results_are_published(now) if campaign else False
        if application.status == S.DRAFT:
            # Only a draft shows what is missing (two queries); a submitted application's answers are complete.
            missing = questionnaire.missing_answers(application)
            context.update(missing=missing, progress=questionnaire.progress(application, missing))
        context.update(
            shown_status=shown,
            published=published,
            changes=status_timeline(application, published=published),
            # Shown for a round-1 rejection too until publication: its absence would give the decision away.
            can_withdraw=shown == S.SUBMITTED and permissions.is_owner(request.user, application)
            and application.campaign.accepts_applications(now),
            can_reopen=permissions.can_reopen(request.user, application, now),
            can_submit=permissions.can_submit(request.user, application, now),
            filed=getattr(application, "filing", None) if shown in filing.SUPPLEMENT_STATES else None,
        )
        if shown == S.FILING:
            context["filing_form"] = filing_form or FilingForm()
        if filing.can_upload_supplementary(request.user, application, now):
            context["supplement_form"] = supplement_form or AttachmentForm(
                campaign=application.campaign, kind=AttachmentKind.SUPPLEMENTARY
            )
            context["supplement_limit_mb"] = size_limit_mb(application.campaign, AttachmentKind.SUPPLEMENTARY)
            context["supplements"] = application.attachments.filter(kind=AttachmentKind.SUPPLEMENTARY)
        leader = getattr(application, "leader", None) if shown == S.SELECTED else None
        if leader is not None:
            context["probation_progress"] = leader_progress(leader, now=now)
    if request.user.is_authenticated:
        context["notifications"] = Notification.objects.filter(recipient=request.user, channel=Channel.IN_APP)[:20]
    return render(request, "applications/status.html", context, status=status)


@login_required
@require_GET
def status(request):
    return render_status(request)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request):
    """GET asks for confirmation; POST withdraws (撤回申请)."""
    _campaign, application = _followed_application(request)
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
    _campaign, application = _followed_application(request)
    if application is None:
        raise Http404
    try:
        services.reopen_application(application, actor=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:status")
    messages.success(request, _("Your application is a draft again. Submit it again before the deadline."))
    return redirect(reverse("applications:section", args=["declaration"]))
