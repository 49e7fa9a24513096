"""Demo probation data: ``seed_probation(campaign)`` for ``make run`` (the lead wires it into seed_demo).

It writes, idempotently, a roster of leaders and the alliance exports they are judged on, so that in a
campaign whose probation is under way some leaders pass and some fail each check. The rows go through
``import_file`` (generated in-memory CSVs, the operators' own path), so re-running updates the same
keys and never duplicates. Only rows dated up to ``now`` are written: the data grows as the demo
calendar advances. The data is then marked complete through yesterday and the checks that allows are
decided, as the scheduled job would.

Profiles (account: what happens):
- ``demo_tz01`` passes everything (6 new merchants, 4 qualifying) and gets the company's reward;
- ``demo_tz02`` is short of GMV in the first month: closed at the start of the second;
- ``demo_tz03`` has one new merchant by the checkpoint: closed right after it;
- ``demo_tz04`` creates no activity in the second month: closed at the start of the third;
- ``demo_tz05`` passes the months but has 4 new merchants, 2 qualifying: closed at the final result;
- ``demo_tz06`` passes, same company as ``demo_tz01`` with fewer qualifying merchants: no reward;
- ``demo_tz07`` is behind in the running month (at risk on the board and in the reminder);
- ``demo_tz08`` passes the figures but has a violation (刷单) recorded: closed, no reward.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from recruitment import timeutils
from recruitment.validators import credit_code_check_char

from . import datamark
from .enums import ViolationKind
from .imports import import_file
from .models import Leader, Violation
from .services import evaluate_scheduled, record_violation

TIME = "%Y-%m-%d %H:%M:%S"
PASS = "pass"
FAIL_GMV, FAIL_ACTIVITIES, BEHIND = "fail_gmv", "fail_activities", "behind"

# account: (company number, month profiles by month index, new merchants as (share of the activity
# at which it opens, best-item orders, paid orders, settled orders, out for the whole 618 window))
GOOD = (10, 10, 10, False)
PROFILES = {
    "demo_tz01": (1, [PASS, PASS, PASS], [(0.1, *GOOD), (0.2, *GOOD), (0.4, *GOOD), (0.6, *GOOD), (0.8, 3, 5, 5, False),
                                          (0.9, 10, 12, 4, False)]),
    "demo_tz02": (2, [FAIL_GMV, PASS, PASS], [(0.1, *GOOD), (0.3, *GOOD)]),
    "demo_tz03": (3, [PASS, PASS, PASS], [(0.2, *GOOD), (0.7, *GOOD), (0.8, *GOOD), (0.9, *GOOD)]),
    "demo_tz04": (4, [PASS, FAIL_ACTIVITIES, PASS], [(0.1, *GOOD), (0.2, *GOOD), (0.7, *GOOD)]),
    "demo_tz05": (5, [PASS, PASS, PASS], [(0.1, *GOOD), (0.3, *GOOD), (0.15, 12, 12, 12, True),
                                          (0.8, 10, 10, 2, False)]),
    "demo_tz06": (1, [PASS, PASS, PASS], [(0.1, *GOOD), (0.2, *GOOD), (0.6, *GOOD), (0.7, 2, 2, 2, False),
                                          (0.8, 2, 2, 2, False)]),
    "demo_tz07": (7, [BEHIND, BEHIND, BEHIND], [(0.1, *GOOD), (0.3, *GOOD), (0.6, *GOOD), (0.7, *GOOD), (0.8, *GOOD)]),
    "demo_tz08": (8, [PASS, PASS, PASS], [(0.1, *GOOD), (0.3, *GOOD), (0.6, *GOOD), (0.7, *GOOD), (0.8, *GOOD)]),
}
VIOLATOR = "demo_tz08"


def _credit_code(n):
    first17 = f"91330110MA2{n:06d}"
    return first17 + credit_code_check_char(first17)


class _Rows:
    """The rows of one kind, kept only when dated up to ``now``."""

    def __init__(self, header, now):
        self.header, self.now, self.rows = header, now, []

    def add(self, when, *cells):
        if when is not None and when > self.now:
            return False
        self.rows.append(cells)
        return True

    def csv(self):
        stream = io.StringIO()
        writer = csv.writer(stream)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return io.BytesIO(stream.getvalue().encode("utf-8"))


def _t(moment):
    return timezone.localtime(moment).strftime(TIME)


def _month_figures(month, profile, *, running):
    """What a leader reaches in a month: the thresholds (plus a margin), or short of one of them."""
    figures = {"activities": month.min_activities + 1, "merchants": month.min_merchants + 1,
               "items": month.min_items + 2, "gmv": month.min_gmv * Decimal("1.2")}
    if profile == FAIL_GMV:
        figures["gmv"] = month.min_gmv * Decimal("0.6")
    elif profile == FAIL_ACTIVITIES:
        figures["activities"] = 0
    elif profile == BEHIND and running:
        figures.update(merchants=max(month.min_merchants - 1, 0), gmv=month.min_gmv * Decimal("0.5"))
    return figures


def build_files(campaign, *, now):
    """The six in-memory CSV files of the demo, in import order."""
    files = {
        "leaders": _Rows(["leader_account", "company_name", "credit_code", "granted_at"], now),
        "merchants": _Rows(["merchant_id", "merchant_name", "leader_account", "opened_at"], now),
        "merchant_exits": _Rows(["merchant_id", "exited_at", "rejoined_at"], now),
        "activities": _Rows(["activity_id", "leader_account", "name", "created_at"], now),
        "enrollments": _Rows(["activity_id", "merchant_id", "item_id", "enrolled_at"], now),
        "orders": _Rows(["order_id", "leader_account", "merchant_id", "item_id", "paid_at", "paid_amount", "status",
                         "settled_at"], now),
    }
    granted = campaign.results_published_at
    months = list(campaign.basic_months.order_by("month"))
    before = (months[0].starts_at if months else campaign.activity_starts_at) - timedelta(days=40)
    start, end = campaign.activity_starts_at, campaign.activity_ends_at
    for account, (company, month_profiles, new_merchants) in PROFILES.items():
        files["leaders"].add(granted, account, f"演示拓客{company}号网络科技有限公司", _credit_code(9000 + company),
                             _t(granted))
        base = f"{account}_base"
        files["activities"].add(before, base, account, "常设招商活动", _t(before))
        # Merchants already on Taobaoke (never new): recruited into activities, selling every month.
        old = [f"{account}_old{k:02d}" for k in range(1, 9)]
        for merchant in old:
            files["merchants"].add(before, merchant, f"老商家 {merchant[-2:]}", account, _t(before))
        for index, month in enumerate(months):
            running = month.starts_at <= now <= month.ends_at
            figures = _month_figures(month, month_profiles[min(index, len(month_profiles) - 1)], running=running)
            day = month.starts_at + timedelta(days=1, hours=10)
            for k in range(figures["activities"]):
                files["activities"].add(day, f"{account}_{month.month:%Y%m}_a{k}", account,
                                        f"{month.month:%m}月招商活动", _t(day + timedelta(minutes=k)))
            for k in range(figures["items"]):
                merchant = old[k % max(figures["merchants"], 1)] if figures["merchants"] else None
                if merchant:
                    files["enrollments"].add(day, base, merchant, f"{account}_{month.month:%Y%m}_i{k}",
                                             _t(day + timedelta(minutes=k)))
            amount = (figures["gmv"] / 4).quantize(Decimal("0.01"))
            for k in range(4):
                paid = day + timedelta(days=k)
                files["orders"].add(paid, f"{account}_{month.month:%Y%m}_o{k}", account, old[0], f"{account}_item",
                                    _t(paid), str(amount), "settled", "")
        for n, (share, best, paid_orders, settled, out_618) in enumerate(new_merchants, start=1):
            merchant, opened = f"{account}_new{n:02d}", start + (end - start) * share
            if not files["merchants"].add(opened, merchant, f"新商家 {account[-2:]}-{n}", account, _t(opened)):
                continue
            if out_618:
                exited = campaign.window_618_starts_at - timedelta(hours=1)
                files["merchant_exits"].add(exited, merchant, _t(exited), "")
            for k in range(paid_orders):
                paid_at = opened + timedelta(hours=2, minutes=k)
                item = f"{merchant}_best" if k < best else f"{merchant}_i{k}"
                files["orders"].add(paid_at, f"{merchant}_o{k}", account, merchant, item, _t(paid_at), "20.00",
                                    "settled" if k < settled else "paid", "")
    return files


def seed_probation(campaign, *, now=None):
    """Write the demo leaders and their data into ``campaign`` (idempotent), then evaluate what is due.

    Nothing is written before the campaign's results are published (no leader exists before that).
    Returns ``{kind: ImportResult}``.
    """
    now = now or timezone.now()
    if now < campaign.results_published_at:
        return {}
    results = {}
    with transaction.atomic():
        for kind, rows in build_files(campaign, now=now).items():
            result = import_file(kind, rows.csv(), campaign=campaign)
            if not result.ok:  # a bug of this module, not of the data: fail loudly
                raise RuntimeError(f"demo {kind}: {[str(e) for e in result.errors[:5]]}")
            results[kind] = result
        # Operations confirmed the data through yesterday: the scheduled path decides what that allows, and a
        # check that fell due today shows as waiting for its data.
        mark = timeutils.start_of_day(timezone.localtime(now).date())
        if campaign.data_complete_until is None or campaign.data_complete_until < mark:
            datamark.move_data_mark(campaign, to=mark, actor=None, now=now)
            campaign.refresh_from_db()
        evaluate_scheduled(campaign, now=now)
        violator = Leader.objects.get(campaign=campaign, leader_account=VIOLATOR)
        if not Violation.objects.filter(leader=violator).exists() and now >= campaign.activity_starts_at:
            record_violation(violator, kind=ViolationKind.FAKE_ORDERS, note="演示数据：活动期间发现刷单", actor=None,
                             close_permission=True)
    return results
