"""Applicant pages of round 2, under /status/: the system filing and supplementary material.

Both re-render the status page (``applications.views.render_status``) with the bound form when it
does not validate, and answer 403 with the refusal when the domain function refuses.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import services as application_services
from applications.enums import AttachmentKind
from applications.forms import AttachmentForm
from applications.views import chosen_application, render_status

from . import filing
from .forms import FilingForm


def _refused(request, application, message):
    context = {"application": application, "message": message, "title": _("This is not possible now")}
    return render(request, "reviews/refused.html", context, status=403)


def _own_application(request):
    """The applicant's application named by the form's ``application`` field (else the followed one)."""
    _campaign, application = chosen_application(request, request.POST)
    if application is None:
        raise Http404
    return application


@login_required
@require_POST
def submit_filing(request):
    application = _own_application(request)
    if not filing.can_file(request.user, application):
        return _refused(request, application, _("The filing is not open for this application."))
    form = FilingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some answers need correcting (marked in red). The filing was not submitted."))
        return render_status(request, filing_form=form, for_application=application)
    try:
        filing.submit_filing(application, actor=request.user, data=form.cleaned_data)
    except application_services.ApplicationError as error:
        return _refused(request, application, error.message)
    messages.success(request, _("Your system filing has been submitted. The risk assessment is under way."))
    return redirect("applications:status")


@login_required
@require_POST
def upload_supplementary(request):
    application = _own_application(request)
    if not filing.can_upload_supplementary(request.user, application):
        return _refused(request, application, _("Supplementary material can be uploaded only after passing round 1."))
    form = AttachmentForm(
        request.POST, request.FILES, campaign=application.campaign, kind=AttachmentKind.SUPPLEMENTARY
    )
    if not form.is_valid():
        messages.error(request, _("The file was not uploaded."))
        return render_status(request, supplement_form=form, for_application=application)
    try:
        filing.add_supplementary(
            application, upload=form.checked, actor=request.user, description=form.cleaned_data["description"]
        )
    except application_services.ApplicationError as error:
        return _refused(request, application, error.message)
    messages.success(request, _("File uploaded: %(name)s") % {"name": form.checked.name})
    return redirect("applications:status")
