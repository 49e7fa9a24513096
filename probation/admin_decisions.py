"""The board's decision pages: confirm the data (move the mark), preview and decide, recheck and reinstate.

Each page shows a plan of ``probation.decisions`` first (GET writes nothing); whoever sees the board
(operations, the campaign admin) may look; only the campaign admin (``permissions.can_decide``) confirms.
A confirmation carries the fingerprint of the plan it was shown: if the data or the verdicts changed in
between, nothing is decided and the page shows the new plan.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from recruitment.models import Campaign
from recruitment.timeutils import instant_text

from . import datamark, decisions, metrics, permissions
from .enums import LeaderStatus
from .imports import KINDS
from .models import Leader, Violation
from .services import ViolationRefused, withdraw_violation
from .wording import KIND_LABELS, check_label, figure_rows, reason_label


class MarkForm(forms.Form):
    through = forms.DateField(
        label=gettext_lazy("Data complete through (the end of this day)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Every kind of data is imported up to the end of this day (Beijing time)."),
    )


def board_url(campaign, name="admin:probation_board_changelist", **query):
    return f"{reverse(name)}?{urlencode({'campaign': campaign.slug, **query}, doseq=True)}"


def _campaign(request):
    """The campaign a decision page works on. Whoever sees the board may look (GET writes nothing); only the
    campaign admin confirms (POST)."""
    allowed = permissions.can_decide if request.method == "POST" else permissions.can_preview
    if not allowed(request.user):
        raise PermissionDenied
    slug = request.POST.get("campaign") if request.method == "POST" else request.GET.get("campaign")
    return get_object_or_404(Campaign, slug=slug or "")


def _when(moment):
    return instant_text(moment) if moment else ""


def _state_text(outcome):
    label = LeaderStatus(outcome.status).label
    if outcome.status != LeaderStatus.CLOSED:
        return str(label)
    return _("%(status)s at %(at)s (%(reason)s)") % {"status": label, "at": _when(outcome.closed_at),
                                                   "reason": reason_label(outcome.reason)}


def plan_context(result, *, limit=500):
    """A plan as the pages show it: what changes for whom, and per judged check who passes and who fails
    on what figures (failing leaders first; at most ``limit`` rows per list)."""
    names = result.leaders
    changes = [
        {"leader_id": c.leader_id, "account": c.leader_account, "company": names.get(c.leader_id, ("", ""))[1],
         "kind": c.kind, "before": _state_text(c.before), "after": _state_text(c.after)}
        for c in sorted(result.changes, key=lambda c: (c.kind, c.leader_account))
    ]
    checks = []
    for code, due_at, ok, ko in result.evaluated:
        rows = {True: [], False: []}
        for (pk, judged_code), (passed, figures) in result.figures.items():
            if judged_code == code:
                account, company = names.get(pk, ("", ""))
                rows[passed].append({"account": account, "company": company, "leader_id": pk,
                                     "figures": figure_rows(figures)})
        for key in rows:
            rows[key].sort(key=lambda row: row["account"])
        checks.append({"code": code, "label": check_label(code), "due_at": due_at, "passed": ok, "failed": ko,
                       "failing": rows[False][:limit], "passing": rows[True][:limit],
                       "more_failing": max(ko - limit, 0), "more_passing": max(ok - limit, 0)})
    flips = [
        {"account": names.get(pk, ("", ""))[0], "leader_id": pk, "checks": [check_label(code) for code in codes]}
        for pk, codes in sorted(result.flipped.items(), key=lambda item: names.get(item[0], ("", ""))[0])
    ]
    return {
        "plan": result,
        "fingerprint": result.fingerprint(),
        "changes": changes,
        "checks": checks,
        "flips": flips,
        "to_close": result.permissions_to_close,
        "to_reinstate": len(result.reinstating),
        "to_retain": len(result.retaining),
        "to_reclose": len(result.reclosing),
    }


def _preview(campaign, **options):
    """``plan_context`` of a plan, or ``{"busy": True}`` while a data import holds the figures' tables."""
    try:
        with metrics.waiting_at_most():
            return plan_context(decisions.plan(campaign, **options))
    except metrics.FiguresBusy:
        return {"busy": True}


def _page(admin, request, template, campaign, **extra):
    context = admin.context(request, campaign=campaign, can_decide=permissions.can_decide(request.user),
                            board_link=board_url(campaign), now=timezone.now(), **extra)
    return TemplateResponse(request, f"admin/probation/{template}", context)


def _moment(moment):
    return instant_text(moment) if moment else "-"


def message_lines(result):
    """What a decision did, in words, one message each: the checks judged (by their names), then each
    closure, reinstatement and retention. ``result.lines()`` says the same for the commands' output."""
    lines = [reason_label(result.note)] if result.note else []
    lines += [
        _("%(check)s (due %(due)s): %(passed)d passed, %(failed)d failed") % {
            "check": check_label(code), "due": _moment(due), "passed": ok, "failed": ko}
        for code, due, ok, ko in result.evaluated
    ]
    for change in sorted(result.changes, key=decisions.change_order):
        after, before = change.after, change.before
        words = {"leader": change.leader_account, "at": _moment(after.closed_at), "reason": reason_label(after.reason),
                 "before": _moment(before.closed_at), "before_reason": reason_label(before.reason)}
        if change.kind == "close":
            lines.append(_("%(leader)s closed at %(at)s (%(reason)s)") % words)
        elif change.kind == "reclose":
            lines.append(_("%(leader)s closed at %(at)s (%(reason)s) instead of %(before)s (%(before_reason)s)")
                         % words)
        elif change.kind == "reinstate":
            lines.append(_("%(leader)s reinstated (%(status)s; was closed at %(before)s (%(before_reason)s))")
                         % {**words, "status": LeaderStatus(after.status).label})
    lines += [_("%(leader)s retained") % {"leader": c.leader_account}
              for c in sorted(result.retaining, key=decisions.change_order)]
    return lines


def _decided(request, campaign, result, *, verb):
    lines = message_lines(result)
    messages.success(request, ngettext(
        "%(verb)s: %(n)d permission closed.", "%(verb)s: %(n)d permissions closed.", len(result.closing),
    ) % {"verb": verb, "n": len(result.closing)})
    for line in lines:
        messages.info(request, line)
    return HttpResponseRedirect(board_url(campaign))


# --- Data mark ------------------------------------------------------------------------------------


def data_view(admin, request):
    """数据确认: the latest import of each kind, the mark, the waiting checks; pick a day, preview, confirm."""
    campaign = _campaign(request)
    now = timezone.now()
    if request.method == "POST":
        form = MarkForm(request.POST)
    else:
        yesterday = timezone.localdate(now) - timedelta(days=1)
        form = MarkForm(request.GET if "through" in request.GET else None, initial={"through": yesterday})
    preview = None
    if form.is_bound and form.is_valid():
        to = datamark.mark_for_day(form.cleaned_data["through"])
        refusal = datamark.check_mark(campaign, to, now=now)
        if refusal:
            form.add_error("through", refusal)
        elif request.method == "POST":
            try:
                with transaction.atomic():
                    datamark.move_data_mark(campaign, to=to, actor=request.user, now=now)
                    campaign.refresh_from_db()
                    result = decisions.decide(campaign, up_to=decisions.scheduled_instant(campaign, now),
                                              actor=request.user, expect=request.POST.get("fingerprint", ""))
            except (datamark.MarkRefused, decisions.DecisionRefused) as error:
                messages.error(request, str(error))
            else:
                return _decided(request, campaign, result, verb=_("Data marked complete through %(day)s") % {
                    "day": form.cleaned_data["through"].isoformat()})
            campaign.refresh_from_db()
        if not form.errors:
            hypothetical = Campaign.objects.get(pk=campaign.pk)
            hypothetical.data_complete_until = to
            preview = _preview(hypothetical, up_to=decisions.scheduled_instant(hypothetical, now))
            preview["mark"] = to
    return _page(admin, request, "data.html", campaign, title=_("Confirm the data (data mark)"), form=form,
                 preview=preview,
                 imports=[(kind, KIND_LABELS[kind], record)
                          for kind, record in datamark.latest_imports(campaign, KINDS)],
                 waiting=datamark.waiting_checks(campaign, now=now))


# --- Preview and decide -----------------------------------------------------------------------------


def preview_view(admin, request):
    """预览: what the scheduled job decides now (up to min(now, data mark)); the campaign admin decides it."""
    campaign = _campaign(request)
    now = timezone.now()
    if request.method == "POST":
        try:
            result = decisions.decide(campaign, up_to=decisions.scheduled_instant(campaign, now), actor=request.user,
                                      expect=request.POST.get("fingerprint", ""))
        except decisions.DecisionRefused as error:
            messages.error(request, str(error))
        else:
            return _decided(request, campaign, result, verb=_("Due checks decided"))
    up_to = decisions.scheduled_instant(campaign, now)
    preview = _preview(campaign, up_to=up_to)
    return _page(admin, request, "preview.html", campaign, title=_("Preview of the due decisions"), preview=preview,
                 up_to=up_to, waiting=datamark.waiting_checks(campaign, now=now))


# --- Recheck ----------------------------------------------------------------------------------------


def _selected_leaders(request, campaign):
    values = request.POST.getlist("leader") if request.method == "POST" else request.GET.getlist("leader")
    ids = [int(v) for v in values if v.isdigit()]
    if not ids:
        return None
    return list(Leader.objects.filter(campaign=campaign, pk__in=ids).values_list("pk", flat=True)) or None


def recheck_view(admin, request):
    """复核: decide every decided check again on the data now on hand, for all or selected leaders."""
    campaign = _campaign(request)
    leader_ids = _selected_leaders(request, campaign)
    now = timezone.now()
    up_to = decisions.recheck_instant(campaign, now, leader_ids)
    if request.method == "POST":
        try:
            result = decisions.decide(campaign, up_to=up_to, recheck=True, leader_ids=leader_ids,
                                      actor=request.user, expect=request.POST.get("fingerprint", ""), cause="recheck")
        except decisions.DecisionRefused as error:
            messages.error(request, str(error))
        else:
            return _decided(request, campaign, result, verb=_("Recheck on the latest data"))
    preview = _preview(campaign, up_to=up_to, recheck=True, leader_ids=leader_ids)
    selected = list(Leader.objects.filter(pk__in=leader_ids).order_by("leader_account")) if leader_ids else []
    return _page(admin, request, "recheck.html", campaign, title=_("Recheck on the latest data"), preview=preview,
                 selected=selected, nothing_decided=campaign.decided_until is None)


# --- Violations -------------------------------------------------------------------------------------


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is the violation withdrawn?"), max_length=255,
                             widget=forms.Textarea(attrs={"rows": 3}))


def withdraw_view(admin, request, violation_id):
    """撤销违规: the campaign admin withdraws a violation recorded by mistake, seeing what it changes first."""
    if not permissions.can_decide(request.user):
        raise PermissionDenied
    violation = get_object_or_404(Violation.objects.select_related("leader__campaign"), pk=violation_id)
    leader, campaign = violation.leader, violation.leader.campaign
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if violation.is_withdrawn:
        messages.info(request, _("This violation was withdrawn already."))
        return HttpResponseRedirect(reverse("admin:probation_violation_change", args=[violation.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_violation(violation, reason=form.cleaned_data["reason"], actor=request.user)
        except (ViolationRefused, decisions.DecisionRefused) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The violation of %(account)s was withdrawn.") % {
                "account": leader.leader_account})
            return HttpResponseRedirect(reverse("admin:probation_leader_change", args=[leader.pk]))
    preview = _preview(campaign, up_to=None, leader_ids=[leader.pk], without=[violation.pk])
    return admin.violation_page(request, "withdraw.html", title=_("Withdraw a violation"), violation=violation,
                                leader=leader, form=form, preview=preview)
