"""The probation report (DATA.md ``probation_report``), as rows for the command and the admin export."""

import csv

from recruitment.timeutils import BEIJING

from . import metrics
from .checks import failed_checks_order
from .enums import LeaderStatus
from .models import CheckResult, Leader, Violation

REPORT_COLUMNS = [
    "leader_account",
    "status",
    "failed_checks",
    "closed_at",
    "new_merchants_checkpoint",
    "new_merchants_total",
    "qualifying_merchants",
    "reward_eligible",
]


def report_rows(campaign):
    """One dict per leader of ``campaign`` in leader_account order, with the columns of ``REPORT_COLUMNS``.

    The three counts come from the data on hand, each over its own window; failed checks from the
    stored results, in the order of the check table (check items after the built-in codes of their due time).
    """
    leaders = Leader.objects.filter(campaign=campaign)
    checkpoint = metrics.new_merchants(
        leaders, starts_at=campaign.activity_starts_at, ends_at=campaign.checkpoint_ends_at
    )
    total = metrics.new_merchants(leaders, starts_at=campaign.activity_starts_at, ends_at=campaign.activity_ends_at)
    qualifying = {pk: n for pk, (n, _merchants) in metrics.qualifying_merchants(leaders, campaign).items()}
    order = failed_checks_order(campaign)
    failed = {}
    failed_results = CheckResult.objects.filter(leader__campaign=campaign, passed=False)
    for pk, code in failed_results.values_list("leader_id", "code"):
        failed.setdefault(pk, []).append(code)
    with_violation = set(
        Violation.objects.standing().filter(leader__campaign=campaign).values_list("leader_id", flat=True)
    )
    rows = []
    for leader in sorted(leaders, key=lambda leader: leader.leader_account):
        codes = sorted(failed.get(leader.pk, []), key=order)
        rows.append(
            {
                "leader_account": leader.leader_account,
                "status": leader.status,
                "failed_checks": ";".join(codes),
                "closed_at": leader.closed_at.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S+08:00")
                if leader.closed_at
                else "",
                "new_merchants_checkpoint": checkpoint.get(leader.pk, 0),
                "new_merchants_total": total.get(leader.pk, 0),
                "qualifying_merchants": qualifying.get(leader.pk, 0),
                "reward_eligible": "no",
                "_leader": leader,
                "_violation": leader.pk in with_violation,
            }
        )
    _mark_reward_eligible(rows, campaign)
    for row in rows:
        del row["_leader"], row["_violation"]
    return rows


def _mark_reward_eligible(rows, campaign):
    """Same company, one reward: among eligible accounts of a credit code, only the best ranked gets it."""
    best = {}
    for row in rows:
        leader = row["_leader"]
        if (
            leader.status == LeaderStatus.CLOSED
            or row["_violation"]
            or row["qualifying_merchants"] < campaign.qualifying_min_merchants
        ):
            continue
        rank = (-row["qualifying_merchants"], leader.granted_at, leader.leader_account)
        if leader.credit_code not in best or rank < best[leader.credit_code][0]:
            best[leader.credit_code] = (rank, row)
    for _rank, row in best.values():
        row["reward_eligible"] = "yes"


def write_report(campaign, stream):
    writer = csv.DictWriter(stream, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(campaign))
