"""The dashboard's charts (工作台图表): the review funnel, seats filled and left, days to each deadline.

The funnel counts, per stage, the applications of the campaign that reached it (漏斗: 已提交 → 通过初审 → 已备案
→ 通过风险评估 → 择优通过), read from the current status in one grouped query: an application in final review
has passed round 1, filed and passed the risk rules. "Not selected" is reached two ways, from final review or
from a closed-out filing (未按时备案); the audit trail (``StatusChange``) tells them apart. Drafts and
withdrawn applications are outside the funnel (the table "Applications by state" lists them). Selected
counts the seats held: decided as selected in round 3, or published as selected (``publication``).
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import pgettext_lazy

from applications.enums import ApplicationStatus, PendingDecision
from applications.models import Application, StatusChange
from recruitment.charts import percent, stack, width

S = ApplicationStatus

_PASSED_ROUND1 = [S.FILING, S.FILING_LAPSED, S.RISK_REVIEW, S.RISK_REJECTED, S.FINAL_REVIEW, S.SELECTED]
_FILED = [S.RISK_REVIEW, S.RISK_REJECTED, S.FINAL_REVIEW, S.SELECTED]
_PASSED_RISK = [S.FINAL_REVIEW, S.SELECTED]
# not_selected reached from final review (not from a closed-out filing): it passed every earlier stage.
_NOT_SELECTED_IN_FINAL = Q(status=S.NOT_SELECTED, closed_out=False)

FUNNEL_STAGES = [
    ("submitted", pgettext_lazy("funnel stage", "Submitted"),
     ~Q(status__in=[S.DRAFT, S.WITHDRAWN])),
    ("round1_passed", pgettext_lazy("funnel stage", "Passed round 1"),
     Q(status__in=_PASSED_ROUND1) | Q(status=S.NOT_SELECTED)),
    ("filed", pgettext_lazy("funnel stage", "Filed"),
     Q(status__in=_FILED) | _NOT_SELECTED_IN_FINAL),
    ("risk_passed", pgettext_lazy("funnel stage", "Passed the risk assessment"),
     Q(status__in=_PASSED_RISK) | _NOT_SELECTED_IN_FINAL),
    ("selected", pgettext_lazy("funnel stage", "Selected"),
     Q(status=S.SELECTED) | Q(status=S.FINAL_REVIEW, pending_decision=PendingDecision.SELECTED)),
]


def funnel_counts(campaign):
    """``{stage key: applications of campaign that reached it}``, one aggregate query."""
    closed_out = StatusChange.objects.filter(
        application=OuterRef("pk"), from_status=S.FILING_LAPSED, to_status=S.NOT_SELECTED
    )
    return (
        Application.objects.filter(campaign=campaign)
        .annotate(closed_out=Exists(closed_out))
        .aggregate(**{key: Count("pk", filter=condition) for key, _label, condition in FUNNEL_STAGES})
    )


def funnel_chart(counts):
    """Rows of the funnel chart from ``funnel_counts``: each stage's count, its bar width against the first
    stage, and the conversion rate from the stage before (``None`` for the first stage, or when the stage
    before is empty)."""
    first = counts[FUNNEL_STAGES[0][0]]
    rows, before = [], None
    for key, label, _condition in FUNNEL_STAGES:
        count = counts[key]
        rows.append({
            "key": key,
            "label": label,
            "count": count,
            "width": width(count, first),
            "conversion": None if before is None else percent(count, before),
        })
        before = count
    return rows


def seats_chart(seats, selected):
    """Seats filled vs left as one stacked bar: ``{"seats", "filled", "left", "segments"}``. More selections
    than seats (seats lowered after selection is refused, but the data may say so) show no seat left."""
    left = max(seats - selected, 0)
    return {
        "seats": seats,
        "filled": selected,
        "left": left,
        "filled_percent": percent(selected, seats),
        "segments": stack([("filled", selected), ("left", left)]),
    }


def deadlines_chart(deadlines):
    """Days to each deadline as bars on one scale (the farthest deadline is the full track); a deadline
    passed or today has no bar. ``deadlines`` are ``reviews.admin.dashboard.Deadline`` rows."""
    scale = max((d.days_left for d in deadlines), default=0)
    return [
        {"label": d.label, "day": d.day, "days_left": d.days_left, "width": width(max(d.days_left, 0), scale)}
        for d in deadlines
    ]
