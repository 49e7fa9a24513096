"""Round 2, second half: the risk assessment (风险评估) against the campaign's risk rules.

``assess_risk`` runs every enabled ``RiskRule`` of the application's campaign, stores one
``RiskAssessment`` with, per rule, its code, verdict and the data it was decided on, then moves the
application on by itself: all pass → ``FINAL_REVIEW`` (round 3), any fail → ``RISK_REJECTED`` with
the failed rule codes as the reason. It acts only on an application in ``RISK_REVIEW``, checked under
a row lock, so a task delivered twice assesses once.

Rules read the application's declared facts, the sanction list staff keep (``SanctionRecord``,
importable) and our own probation records (closed ``Leader`` rows, ``Violation`` rows). Dates are
Beijing dates: the assessment date is the local date of ``now``.
"""

import calendar
import logging
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as application_services
from applications.enums import ApplicationStatus, EntityType, PreviousPermissionOutcome
from applications.models import Application
from probation.enums import LeaderStatus
from probation.models import Leader, Violation
from probation.services import closed_in_campaign

from . import permissions
from .enums import RiskRuleCode, SanctionKind, rule_title
from .models import RiskAssessment, RiskRule, SanctionRecord

logger = logging.getLogger(__name__)

S = ApplicationStatus
R = RiskRuleCode
CLOSURE_KINDS = [SanctionKind.CLOSED, SanctionKind.CLEARED]


# --- Calendar helpers ------------------------------------------------------------------------------


def add_months(day, months):
    """``day`` moved by ``months`` calendar months; the 31st becomes the month's last day when needed."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def anniversary(day, years):
    """The day ``years`` full years after ``day``; 29 February's anniversary is 1 March in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _iso(value):
    return value.isoformat() if value else None


# --- The rules -------------------------------------------------------------------------------------


def _identity_q(application, account_field="alliance_account", code_field="credit_code"):
    """Rows about the same alliance account or the same company (credit code); blanks never match."""
    q = Q(pk__in=[])
    if application.alliance_account:
        q |= Q(**{account_field: application.alliance_account})
    if application.credit_code:
        q |= Q(**{code_field: application.credit_code})
    return q


def _sanctions(application, **filters):
    rows = SanctionRecord.objects.filter(_identity_q(application), **filters).order_by("occurred_on", "id")
    return [
        {"kind": r.kind, "account": r.alliance_account, "credit_code": r.credit_code, "date": _iso(r.occurred_on)}
        for r in rows
    ]


def company_entity(application, rule, today):
    return application.entity_type == EntityType.COMPANY, {"entity_type": application.entity_type}


def min_incorporation_years(application, rule, today):
    """Incorporated at least N years before the assessment date (the anniversary itself passes)."""
    years = rule.parameter or 0
    incorporated = application.incorporated_on
    due = anniversary(incorporated, years) if incorporated else None
    data = {"incorporated_on": _iso(incorporated), "years": years, "required_by": _iso(due), "assessed_on": _iso(today)}
    return due is not None and due <= today, data


def max_associated_accounts(application, rule, today):
    accounts = [str(a).strip() for a in application.associated_accounts or [] if str(a).strip()]
    limit = rule.parameter or 0
    return len(accounts) <= limit, {"associated_accounts": accounts, "limit": limit}


def no_recent_clearing(application, rule, today):
    """No closure or clearing (清退) within the last N months: one on ``today − N months`` is old enough.

    Reads the sanction list, leader permissions closed in our own probation, and the applicant's own
    declaration (``previous_closed_on``).
    """
    months = rule.parameter or 0
    since = add_months(today, -months)
    records = _sanctions(application, kind__in=CLOSURE_KINDS, occurred_on__gt=since)
    leaders = Leader.objects.filter(
        _identity_q(application, "leader_account"), status=LeaderStatus.CLOSED, closed_at__isnull=False
    ).order_by("closed_at", "id")
    closures = [
        {"account": leader.leader_account, "campaign": leader.campaign_id,
         "date": _iso(timezone.localdate(leader.closed_at))}
        for leader in leaders
        if timezone.localdate(leader.closed_at) > since
    ]
    declared = application.previous_closed_on
    declared_recent = bool(
        application.previous_permission in {PreviousPermissionOutcome.CLOSED, PreviousPermissionOutcome.CLEARED}
        and declared
        and declared > since
    )
    data = {
        "months": months,
        "since": _iso(since),
        "records": records,
        "closed_leaders": closures,
        "declared_closed_on": _iso(declared) if declared_recent else None,
    }
    return not (records or closures or declared_recent), data


def no_poor_history(application, rule, today):
    records = _sanctions(application, kind=SanctionKind.POOR_HISTORY)
    return not records, {"records": records}


def no_violation_record(application, rule, today):
    records = _sanctions(application, kind=SanctionKind.VIOLATION)
    violations = Violation.objects.standing().filter(  # a violation withdrawn as a mistake counts for nothing
        _identity_q(application, "leader__leader_account", "leader__credit_code")
    ).select_related("leader").order_by("recorded_at", "id")
    found = [
        {"account": v.leader.leader_account, "kind": v.kind, "date": _iso(timezone.localdate(v.recorded_at))}
        for v in violations
    ]
    return not (records or found), {"records": records, "probation_violations": found}


def not_barred_this_round(application, rule, today):
    """An account closed in this campaign cannot apply again in it (试用期关闭后本轮不再开放申请)."""
    account = application.alliance_account
    closed = bool(account) and closed_in_campaign(application.campaign, leader_account=account)
    leaders = [account] if closed else []
    records = _sanctions(application, campaign=application.campaign_id)
    return not (leaders or records), {"closed_leaders": leaders, "records": records}


RULES = {
    R.COMPANY_ENTITY: company_entity,
    R.MIN_INCORPORATION_YEARS: min_incorporation_years,
    R.MAX_ASSOCIATED_ACCOUNTS: max_associated_accounts,
    R.NO_RECENT_CLEARING: no_recent_clearing,
    R.NO_POOR_HISTORY: no_poor_history,
    R.NO_VIOLATION_RECORD: no_violation_record,
    R.NOT_BARRED_THIS_ROUND: not_barred_this_round,
}


def evaluate_rules(application, today):
    """Per enabled rule of the campaign: ``{"code", "parameter", "passed", "data"}``, in rule order."""
    results = []
    for rule in RiskRule.objects.filter(campaign=application.campaign_id, enabled=True).order_by("id"):
        evaluate = RULES.get(rule.code)
        if evaluate is None:
            logger.error("risk rule %s has no evaluator; counted as failed", rule.code)
            results.append({"code": rule.code, "parameter": rule.parameter, "passed": False, "data": {}})
            continue
        passed, data = evaluate(application, rule, today)
        results.append({"code": rule.code, "parameter": rule.parameter, "passed": bool(passed), "data": data})
    return results


# --- Operations --------------------------------------------------------------------------------------


def assess_risk(application, *, actor=None, now=None):
    """Run the risk rules on an application in ``RISK_REVIEW`` and move it on; ``None`` if not in it.

    Under a row lock: a second delivery of the same task waits, then finds the application moved on
    and does nothing. Returns the stored ``RiskAssessment``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The application's row only: the campaign row is locked campaign-first by publication and the
        # close-out (reviews.filing), and a join lock here would take it second.
        locked = (Application.objects.select_for_update(of=("self",)).select_related("campaign")
                  .filter(pk=application.pk).first())
        if locked is None or locked.status != S.RISK_REVIEW:
            return None
        results = evaluate_rules(locked, timezone.localdate(now))
        failed = [r["code"] for r in results if not r["passed"]]
        assessment = RiskAssessment.objects.create(application=locked, passed=not failed, results=results)
        if failed:
            application_services.transition(locked, S.RISK_REJECTED, actor=actor, reason=", ".join(failed))
        else:
            application_services.transition(locked, S.FINAL_REVIEW, actor=actor, reason="")
    application.refresh_from_db()
    return assessment


def sweep_risk_reviews(*, older_than=timedelta(minutes=2), now=None):
    """Assess applications whose filing has waited in ``RISK_REVIEW`` longer than ``older_than``.

    The after-commit task normally assesses within seconds; this catches filings whose task could not
    be queued (broker down) or was lost. ``assess_risk`` locks each row, so a task running at the same
    time assesses it once. Returns the number assessed.
    """
    now = now or timezone.now()
    waiting = Application.objects.filter(status=ApplicationStatus.RISK_REVIEW, filing__filed_at__lte=now - older_than)
    assessed = 0
    for application in waiting.select_related("campaign").order_by("filing__filed_at")[:500]:
        assessed += assess_risk(application, now=now) is not None
    return assessed


def rerun_risk(application, *, actor, now=None):
    """A risk officer re-runs the assessment of an application stuck in ``RISK_REVIEW`` (worker was down)."""
    if not permissions.can_rerun_risk(actor):
        raise PermissionDenied
    assessment = assess_risk(application, actor=actor, now=now)
    if assessment is None:
        raise application_services.TransitionNotAllowed(
            _("Only an application waiting for its risk assessment can be assessed; this one is “%(status)s”.")
            % {"status": ApplicationStatus(Application.objects.get(pk=application.pk).status).label}
        )
    return assessment


def rule_label(code, parameter=None):
    return rule_title(code, parameter)


def rejection_reason_label(application, reason):
    """The reason of a risk rejection (its failed rules' codes, ``company_entity, max_associated_accounts``,
    kept as codes in the audit trail) by the rules' names, each with the parameter it was assessed with; any
    other reason is returned as it is."""
    codes = [code.strip() for code in reason.split(",") if code.strip()]
    if not codes or any(code not in RiskRuleCode.values for code in codes):
        return reason
    latest = application.risk_assessments.order_by("-ran_at", "-pk").first()
    parameters = {r.get("code"): r.get("parameter") for r in (latest.results if latest else [])}
    return "、".join(str(rule_title(code, parameters.get(code))) for code in codes)
