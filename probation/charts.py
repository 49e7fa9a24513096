"""The probation charts (试用期图表): the board's check outcomes and month figures, the leader's own bars.

- ``check_outcomes``: per check of the campaign (``checks.check_definitions``, in DATA.md's order) how many
  leaders passed, failed and are still waiting. Waiting (待判定) counts the leaders the check applies to
  (granted before it falls due and not closed before then, as on the status page) without a verdict yet:
  its period is running, or it is due and waits for the data or the scheduled job.
- ``month_figures``: each leader in probation against the thresholds of the basic-check month running now
  (activities, merchants, items, GMV; the thresholds are the month's data). A leader is **at risk** (有风险)
  when any figure, as of the data imported so far, is below its threshold (the board's definition,
  ``board.basic_at_risk``). At-risk leaders come first, those short on more items before the others,
  then by leader account.
- ``leader_charts``: the status page's bars, from ``progress.leader_progress``: each month's figures
  against its thresholds and the new merchants over the activity against the checkpoint and final counts.

Each figure is computed by one set-based query for all leaders (``metrics``); nothing loops over leaders
with queries.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import pgettext

from recruitment.charts import stack, toward, width

from . import metrics
from .board import BASIC_METRICS, current_basic_month, days_left
from .checks import check_definitions
from .enums import LeaderStatus
from .models import CheckResult, Leader
from .wording import check_label, metric_label

OUTCOMES = ("passed", "failed", "waiting")


def check_outcomes(campaign):
    """``[{"code", "label", "passed", "failed", "waiting", "total", "segments"}]``, one row per check.

    Two queries whatever the number of leaders: the verdicts grouped by check, and one aggregate over the
    leaders counting, per check, those it applies to that have no verdict."""
    definitions = check_definitions(campaign)
    verdicts = {
        row["code"]: row
        for row in CheckResult.objects.filter(leader__campaign=campaign).order_by().values("code").annotate(
            n_passed=Count("pk", filter=Q(passed=True)), n_failed=Count("pk", filter=Q(passed=False))
        )
    }
    def waiting_for(definition):
        judged = CheckResult.objects.filter(leader=OuterRef("pk"), code=definition.code)
        not_closed_before = Q(closed_at__isnull=True) | Q(closed_at__gte=definition.due_at)
        applies = Q(granted_at__lt=definition.due_at) & not_closed_before
        return Count("pk", filter=applies & ~Q(Exists(judged)))

    waiting = Leader.objects.filter(campaign=campaign).aggregate(**{
        f"waiting_{i}": waiting_for(definition) for i, definition in enumerate(definitions)
    }) if definitions else {}
    rows = []
    for i, definition in enumerate(definitions):
        found = verdicts.get(definition.code, {})
        counts = {"passed": found.get("n_passed", 0), "failed": found.get("n_failed", 0),
                  "waiting": waiting[f"waiting_{i}"]}
        rows.append({
            "code": definition.code,
            "label": check_label(definition.code),
            **counts,
            "total": sum(counts.values()),
            "segments": stack([(outcome, counts[outcome]) for outcome in OUTCOMES]),
        })
    return rows


def _bar(name, value, threshold):
    return {"name": name, "label": metric_label(name), "value": value, "threshold": threshold,
            "met": value >= threshold, "width": toward(value, threshold)}


def month_figures(campaign, *, now):
    """The leaders in probation against the thresholds of the basic-check month running at ``now``.

    Returns ``None`` when no month is running, else ``{"month", "label", "days_left", "rows"}`` where each
    row is ``{"leader", "bars", "short", "at_risk"}`` (``short``: the number of figures below threshold),
    at-risk leaders first (most items short first), then by leader account."""
    month = current_basic_month(campaign, now)
    if month is None:
        return None
    leaders = Leader.objects.filter(campaign=campaign, status=LeaderStatus.PROBATION, granted_at__lte=now)
    by_pk = {leader.pk: leader for leader in leaders}
    figures = metrics.basic_month(leaders, starts_at=month.starts_at, ends_at=month.ends_at)
    rows = []
    for pk, values in figures.items():
        bars = [_bar(name, values[name], getattr(month, threshold)) for name, threshold in BASIC_METRICS]
        short = sum(not bar["met"] for bar in bars)
        rows.append({"leader": by_pk[pk], "bars": bars, "short": short, "at_risk": short > 0})
    rows.sort(key=lambda row: (-row["short"], row["leader"].leader_account))
    return {"month": month, "label": check_label(month.code), "days_left": days_left(now, month.ends_at),
            "thresholds": [(metric_label(name), getattr(month, threshold)) for name, threshold in BASIC_METRICS],
            "rows": rows, "at_risk": sum(row["at_risk"] for row in rows)}


def leader_charts(progress):
    """The status page's bars from ``progress.leader_progress(...)`` (no query of its own).

    ``months``: the months whose period has started (upcoming and not-applicable months have no figures
    yet), each with a bar per figure (width: the figure against its threshold, full once reached).
    ``new_merchants``: the new merchants over the activity so far on a track long enough for the final
    count, with a mark at the checkpoint's and the final threshold (both the campaign's data)."""
    if progress["busy"]:
        return None
    months = [
        {"code": month["code"], "month": month["month"], "state": month["state"],
         "bars": [_bar(f["name"], f["value"], f["threshold"]) for f in month["figures"]]}
        for month in progress["basic_months"] if month["state"] not in ("upcoming", "not_applicable")
    ]
    special = progress["special"]
    checkpoint, total = special["checkpoint"], special["total"]
    count = total["value"]
    scale = max(total["threshold"], checkpoint["threshold"], count, 1)
    new_merchants = {
        "count": count,
        "by_checkpoint": checkpoint["value"],
        "scale": scale,
        "width": width(count, scale),
        "marks": [
            {"key": "checkpoint", "label": pgettext("threshold", "checkpoint"), "threshold": checkpoint["threshold"],
             "x": width(checkpoint["threshold"], scale), "met": checkpoint["value"] >= checkpoint["threshold"]},
            {"key": "final", "label": pgettext("threshold", "final"), "threshold": total["threshold"],
             "x": width(total["threshold"], scale), "met": count >= total["threshold"]},
        ],
    }
    return {"months": months, "new_merchants": new_merchants}
