"""Deciding on complete data (DATA.md): the data mark, the decided point, dry runs, rechecks, violations.

Every rule of the DATA.md section is pinned here at its boundary; the paths that lead to the same data,
violations and decided point must give the same report whatever their order.
"""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from notifications.models import Notification
from probation import datamark, decisions, services
from probation.enums import LeaderStatus, ViolationKind
from probation.models import CheckResult, Leader, LeaderStatusChange, Violation
from probation.report import report_rows
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, UserFactory
from tests.probation.conftest import counts
from tests.probation.factories import LeaderFactory, MerchantFactory
from tests.probation.test_services import relax

pytestmark = pytest.mark.django_db


def report(campaign):
    return [",".join(str(v) for v in row.values()) for row in report_rows(campaign)]


def results(leader):
    return list(leader.check_results.order_by("due_at", "code").values_list("code", "passed"))


def at(moment, function, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return function(*args, **kwargs)


def violations(world):
    with time_machine.travel(beijing(2024, 7, 15, 12), tick=False):
        services.record_violation(world["P04"], kind=ViolationKind.FAKE_ORDERS, note="刷单", actor=None,
                                  close_permission=True)
        services.record_violation(world["P05"], kind=ViolationKind.ORDER_SKIPPING, note="翘单", actor=None)


EXPECTED = [
    "P01,retained,,,1,1,0,yes",
    "P02,closed,basic:2024-06,2024-07-01T00:00:00+08:00,1,1,0,no",
    "P03,closed,special:checkpoint,2024-06-01T00:00:00+08:00,0,0,0,no",
    "P04,closed,,2024-07-15T12:00:00+08:00,1,1,0,no",
    "P05,retained,,,1,1,0,no",
]


def step_by_step(campaign, world):
    for month in (6, 7):
        at(beijing(2024, month, 1, 1), services.evaluate_due_checks, campaign, as_of=beijing(2024, month, 1))
    violations(world)
    for month in (8, 9):
        at(beijing(2024, month, 1, 1), services.evaluate_due_checks, campaign, as_of=beijing(2024, month, 1))


def one_jump(campaign, world):
    violations(world)
    at(beijing(2024, 9, 1, 1), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))


def by_the_mark(campaign, world):
    """Staff mark each month complete two days after it ends; the scheduled job runs in between."""
    from probation.tasks import evaluate_due

    for month in (6, 7, 8, 9):
        if month == 8:
            violations(world)
        with time_machine.travel(beijing(2024, month, 3, 10), tick=False):
            evaluate_due.delay().get()  # before the mark moves: nothing new
            datamark.move_data_mark(campaign, to=beijing(2024, month, 1), actor=None)
            evaluate_due.delay().get()


def with_rechecks(campaign, world):
    """Step by step, with a recheck after every decision: nothing changed, so nothing moves."""
    for month in (6, 7, 8, 9):
        if month == 8:
            violations(world)
        at(beijing(2024, month, 1, 1), services.evaluate_due_checks, campaign, as_of=beijing(2024, month, 1))
        at(beijing(2024, month, 1, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, month, 1),
           recheck=True)


@pytest.mark.parametrize("path", [step_by_step, one_jump, by_the_mark, with_rechecks])
def test_the_report_is_the_same_whatever_the_path(campaign, world, path):
    path(campaign, world)

    campaign.refresh_from_db()
    assert report(campaign) == EXPECTED
    assert campaign.decided_until == beijing(2024, 9, 1)


# --- The data mark gates the scheduled job ------------------------------------------------------------


def test_scheduled_job_without_a_mark_decides_nothing_and_says_why(campaign, world):
    before = counts()

    result = at(beijing(2024, 7, 5), services.evaluate_scheduled, campaign, now=beijing(2024, 7, 5))

    assert counts() == before
    assert result.lines() == [
        "2024-nx2: no data mark: nothing is decided until staff mark the data complete (mark_data_complete)"
    ]


def test_scheduled_job_decides_up_to_the_mark_not_up_to_now(campaign, world):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))
    campaign.refresh_from_db()

    at(beijing(2024, 7, 5), services.evaluate_scheduled, campaign, now=beijing(2024, 7, 5))

    campaign.refresh_from_db()
    assert sorted(set(CheckResult.objects.values_list("code", flat=True))) == ["basic:2024-05", "special:checkpoint"]
    assert campaign.decided_until == beijing(2024, 6, 1)


@pytest.mark.parametrize(("mark", "decided"), [
    (beijing(2024, 5, 31, 23, 59, 59), []),
    (beijing(2024, 6, 1), ["basic:2024-05", "special:checkpoint"]),
])
def test_scheduled_job_decides_a_check_due_exactly_at_the_mark_and_not_a_second_before(campaign, world, mark,
                                                                                         decided):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=mark)
    campaign.refresh_from_db()

    at(beijing(2024, 6, 3), services.evaluate_scheduled, campaign, now=beijing(2024, 6, 3))

    assert sorted(set(CheckResult.objects.values_list("code", flat=True))) == decided


def test_scheduled_job_decides_up_to_now_when_now_is_before_the_mark(campaign, world):
    # A mark set at 06-01 00:00:00 and the job at that very second: min(now, mark) is both.
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))
    campaign.refresh_from_db()

    early = at(beijing(2024, 5, 31, 23, 59, 59), services.evaluate_scheduled, campaign,
               now=beijing(2024, 5, 31, 23, 59, 59))

    assert early.evaluated == []
    assert CheckResult.objects.count() == 0


def test_a_future_as_of_is_refused_and_writes_nothing(campaign, world):
    before = counts()

    with time_machine.travel(beijing(2024, 6, 1, 12), tick=False):
        with pytest.raises(decisions.FutureInstant):
            services.evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1, 12, 0, 1))
        with pytest.raises(decisions.FutureInstant):
            services.evaluate_due_checks(campaign, as_of=beijing(2024, 9, 1), dry_run=True)
        assert counts() == before
        now = services.evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1, 12))

    assert [code for code, *_rest in now.evaluated] == ["basic:2024-05", "special:checkpoint"]


def test_the_decided_point_never_moves_back(campaign, world):
    at(beijing(2024, 7, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 7, 1))

    earlier = at(beijing(2024, 7, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1))

    campaign.refresh_from_db()
    assert campaign.decided_until == beijing(2024, 7, 1)
    assert earlier.changed is False


# --- Dry runs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("recheck", [False, True])
def test_a_dry_run_writes_nothing_and_tells_no_one_but_says_the_same(campaign, world, recheck):
    applicant = UserFactory(username="p03@example.com", mobile="13800000003")
    application = ApplicationFactory(campaign=campaign, applicant=applicant)
    Leader.objects.filter(pk=world["P03"].pk).update(application=application)
    if recheck:
        at(beijing(2024, 6, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1))
        MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 31, 22))  # late data
    before = counts()

    dry = at(beijing(2024, 7, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 7, 1), dry_run=True,
             recheck=recheck)

    assert counts() == before
    real = at(beijing(2024, 7, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 7, 1), recheck=recheck)
    assert dry.lines() == real.lines()
    assert dry.lines(dry_run=True) == ["2024-nx2: dry run: nothing was written and no one was told", *real.lines()]
    assert counts() != before


# --- Recheck and reinstatement ----------------------------------------------------------------------------


@pytest.fixture
def applicant_p03(world, campaign):
    applicant = UserFactory(username="p03@example.com", mobile="13800000003")
    application = ApplicationFactory(campaign=campaign, applicant=applicant)
    Leader.objects.filter(pk=world["P03"].pk).update(application=application)
    return application.applicant


def test_recheck_reinstates_a_leader_closed_on_late_data_once_with_its_trail(campaign, world, applicant_p03):
    admin = UserFactory(username="campaign-admin@example.com")
    at(beijing(2024, 6, 1, 1), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1))
    MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 31, 22))  # imported the next morning

    with time_machine.travel(beijing(2024, 6, 2, 10), tick=False):
        result = decisions.decide(campaign, up_to=None, recheck=True, actor=admin, cause="recheck")
        again = decisions.decide(campaign, up_to=None, recheck=True, actor=admin, cause="recheck")

    p03 = Leader.objects.get(pk=world["P03"].pk)
    assert [(c.leader_account, c.kind) for c in result.changes] == [("P03", "reinstate")]
    assert (p03.status, p03.closed_at, p03.closure_reason) == (LeaderStatus.PROBATION, None, "")
    assert report(campaign)[2] == "P03,probation,,,1,1,0,yes"
    assert results(p03) == [("basic:2024-05", True), ("special:checkpoint", True)]
    change = p03.status_changes.order_by("pk").last()
    assert (change.from_status, change.to_status, change.actor, change.effective_at) == (
        "closed", "probation", admin, beijing(2024, 6, 2, 10))
    assert change.reason == ("recheck on the data now on hand: reinstated (was closed at 2024-06-01T00:00:00+08:00 "
                             "for special:checkpoint)")
    assert sorted(Notification.objects.filter(recipient=applicant_p03).values_list("event", "channel")) == sorted(
        [(f"probation_closed:{p03.pk}", channel) for channel in ("email", "sms", "inapp")]
        + [(f"probation_reinstated:{p03.pk}:1", channel) for channel in ("email", "sms", "inapp")]
    )
    email = Notification.objects.get(event=f"probation_reinstated:{p03.pk}:1", channel="email")
    assert "经复核，" in email.body and "招商服务商权限已恢复" in email.subject + email.body
    assert again.changes == [] and again.changed_results == []
    event = AuditEvent.objects.filter(action="recheck").get()
    assert (event.actor, event.details["reinstated"], event.details["leaders"]) == (admin, 1, ["P03"])


def test_recheck_closes_at_the_earliest_failing_due_time_and_sets_aside_later_results(campaign, world):
    at(beijing(2024, 8, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 8, 1))
    assert results(world["P01"]) == [("basic:2024-05", True), ("special:checkpoint", True), ("basic:2024-06", True),
                                     ("basic:2024-07", True)]
    # The merchant export is corrected: P01's only new merchant opened before the activity.
    world["P01"].merchants.update(opened_at=beijing(2024, 4, 1))

    result = at(beijing(2024, 8, 3), services.evaluate_due_checks, campaign, as_of=beijing(2024, 8, 1), recheck=True)

    p01 = Leader.objects.get(pk=world["P01"].pk)
    assert [(c.leader_account, c.kind) for c in result.changes] == [("P01", "close")]
    assert (p01.status, p01.closed_at, p01.closure_reason) == (LeaderStatus.CLOSED, beijing(2024, 6, 1),
                                                               "special:checkpoint")
    assert results(p01) == [("basic:2024-05", True), ("special:checkpoint", False)]
    assert report(campaign)[0] == "P01,closed,special:checkpoint,2024-06-01T00:00:00+08:00,0,0,0,no"


def test_recheck_moves_a_closure_to_another_check_as_one_net_transition(campaign, world):
    at(beijing(2024, 7, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 7, 1))
    # P03's merchant arrives late (checkpoint now passes), but P03 created no activity in June? It did; take it away.
    MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 20))
    world["P03"].activities.update(created_at=beijing(2024, 5, 10))

    result = at(beijing(2024, 7, 3), services.evaluate_due_checks, campaign, as_of=beijing(2024, 7, 1), recheck=True)

    p03 = Leader.objects.get(pk=world["P03"].pk)
    assert [(c.leader_account, c.kind) for c in result.changes] == [("P03", "reclose")]
    assert (p03.closed_at, p03.closure_reason) == (beijing(2024, 7, 1), "basic:2024-06")
    assert list(p03.status_changes.values_list("from_status", "to_status")) == [("probation", "closed"),
                                                                                 ("closed", "closed")]
    assert result.lines()[-1] == ("2024-nx2: closed P03 at 2024-07-01T00:00:00+08:00 (basic:2024-06) instead of "
                                  "2024-06-01T00:00:00+08:00 (special:checkpoint)")


def test_recheck_after_probation_end_reinstates_to_retained(campaign, world):
    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))
    MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 20))

    at(beijing(2024, 9, 3), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1), recheck=True)

    p03 = Leader.objects.get(pk=world["P03"].pk)
    assert (p03.status, p03.closed_at) == (LeaderStatus.RETAINED, None)
    assert [code for code, _passed in results(p03)] == [
        "basic:2024-05", "special:checkpoint", "basic:2024-06", "basic:2024-07", "special:qualifying",
        "special:total"]


def test_recheck_with_nothing_decided_changes_nothing(campaign, world):
    before = counts()

    result = at(beijing(2024, 7, 2), services.evaluate_scheduled, campaign, now=beijing(2024, 7, 2), recheck=True)

    assert counts() == before
    assert result.changes == [] and result.evaluated == []


def test_recheck_of_selected_leaders_leaves_the_others_and_the_decided_point(campaign, world):
    at(beijing(2024, 6, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1))
    for account in ("P03",):
        MerchantFactory(leader=world[account], opened_at=beijing(2024, 5, 20))
    world["P01"].merchants.update(opened_at=beijing(2024, 4, 1))  # would close P01 on a full recheck

    result = at(beijing(2024, 6, 3), decisions.decide, campaign, up_to=None, recheck=True,
                leader_ids=[world["P03"].pk])

    campaign.refresh_from_db()
    assert [(c.leader_account, c.kind) for c in result.changes] == [("P03", "reinstate")]
    assert Leader.objects.get(pk=world["P01"].pk).status == LeaderStatus.PROBATION
    assert campaign.decided_until == beijing(2024, 6, 1)


# --- Violations -------------------------------------------------------------------------------------------


def test_a_violation_closure_stands_through_a_recheck(campaign, world):
    violations(world)
    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))

    result = at(beijing(2024, 9, 3), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1), recheck=True)

    p04 = Leader.objects.get(pk=world["P04"].pk)
    assert result.changes == []
    assert (p04.status, p04.closed_at, p04.closure_reason) == (LeaderStatus.CLOSED, beijing(2024, 7, 15, 12),
                                                               "violation:fake_orders")


def test_a_check_failing_before_the_violation_closes_first_with_its_codes(campaign, world):
    # P04's June activity is gone: basic:2024-06 (due 07-01) fails before the violation of 07-15.
    world["P04"].activities.update(created_at=beijing(2024, 5, 10))
    violations(world)

    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))

    assert report(campaign)[3] == "P04,closed,basic:2024-06,2024-07-01T00:00:00+08:00,1,1,0,no"


def test_a_violation_without_closure_keeps_the_permission_and_voids_the_reward(campaign, world):
    violations(world)

    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))

    p05 = Leader.objects.get(pk=world["P05"].pk)
    assert p05.status == LeaderStatus.RETAINED
    assert report(campaign)[4] == "P05,retained,,,1,1,0,no"
    assert list(p05.violations.values_list("closes_permission", flat=True)) == [False]


def test_withdrawing_a_violation_reinstates_and_restores_the_reward(campaign, world):
    applicant = UserFactory(username="p04@example.com", mobile="13800000004")
    application = ApplicationFactory(campaign=campaign, applicant=applicant)
    Leader.objects.filter(pk=world["P04"].pk).update(application=application)
    admin = UserFactory(username="campaign-admin@example.com")
    violations(world)
    at(beijing(2024, 8, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 8, 1))
    violation = Violation.objects.get(leader=world["P04"])

    result = at(beijing(2024, 8, 5, 9), services.withdraw_violation, violation, reason="记录错了账号", actor=admin)

    p04 = Leader.objects.get(pk=world["P04"].pk)
    violation.refresh_from_db()
    assert [(c.leader_account, c.kind) for c in result.changes] == [("P04", "reinstate")]
    assert (p04.status, p04.closed_at, p04.closure_reason) == (LeaderStatus.PROBATION, None, "")
    # The check due while the violation stood (basic:2024-07, due 08-01) is decided for P04 now.
    assert results(p04)[-1] == ("basic:2024-07", True)
    assert (violation.withdrawn_at, violation.withdrawn_by, violation.withdrawal_reason) == (
        beijing(2024, 8, 5, 9), admin, "记录错了账号")
    change = p04.status_changes.order_by("pk").last()
    assert (change.to_status, change.actor, change.reason) == (
        "probation", admin, "violation withdrawn: reinstated (was closed at 2024-07-15T12:00:00+08:00 for "
        "violation:fake_orders); 记录错了账号")
    assert Notification.objects.filter(event=f"probation_reinstated:{p04.pk}:1", channel="email").exists()
    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))
    assert report(campaign)[3] == "P04,retained,,,1,1,0,yes"


def test_withdrawing_needs_a_reason_and_happens_once(campaign, world):
    violations(world)
    violation = Violation.objects.get(leader=world["P04"])

    with pytest.raises(services.ViolationRefused):
        services.withdraw_violation(violation, reason="  ", actor=None)
    services.withdraw_violation(violation, reason="误录", actor=None)
    with pytest.raises(services.ViolationRefused):
        services.withdraw_violation(violation, reason="误录", actor=None)

    assert Leader.objects.get(pk=world["P04"].pk).status == LeaderStatus.PROBATION


# --- Confirmation, notices, set-based writes --------------------------------------------------------------


def test_deciding_on_a_stale_preview_refuses_and_writes_nothing(campaign, world):
    preview = at(beijing(2024, 6, 2), decisions.plan, campaign, up_to=beijing(2024, 6, 1))
    MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 20))  # imported after the preview
    before = counts()

    with pytest.raises(decisions.PlanChanged):
        at(beijing(2024, 6, 2), decisions.decide, campaign, up_to=beijing(2024, 6, 1), expect=preview.fingerprint())

    assert counts() == before
    fresh = at(beijing(2024, 6, 2), decisions.plan, campaign, up_to=beijing(2024, 6, 1))
    at(beijing(2024, 6, 2), decisions.decide, campaign, up_to=beijing(2024, 6, 1), expect=fresh.fingerprint())
    assert Leader.objects.get(pk=world["P03"].pk).status == LeaderStatus.PROBATION


def test_a_retained_leader_is_told_once(campaign, world):
    applicant = UserFactory(username="p01@example.com", mobile="13800000001")
    application = ApplicationFactory(campaign=campaign, applicant=applicant)
    Leader.objects.filter(pk=world["P01"].pk).update(application=application)

    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))
    at(beijing(2024, 9, 3), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1), recheck=True)

    told = Notification.objects.filter(recipient=application.applicant)
    assert sorted(told.values_list("event", "channel")) == sorted(
        (f"probation_retained:{world['P01'].pk}", channel) for channel in ("email", "sms", "inapp"))
    assert "转正" in told.get(channel="email").body


def _closing_queries(campaign, leaders):
    relax(campaign)
    campaign.checkpoint_min_new_merchants = 1
    campaign.save()
    for n in range(leaders):
        LeaderFactory(campaign=campaign, leader_account=f"Q{n:03d}")
    with CaptureQueriesContext(connection) as queries, time_machine.travel(beijing(2024, 6, 2), tick=False):
        result = decisions.decide(campaign, up_to=beijing(2024, 6, 1))
    assert len(result.closing) == leaders
    return len(queries)


def test_closing_many_leaders_takes_as_many_statements_as_closing_a_few(campaign):
    few = _closing_queries(campaign, 3)
    CheckResult.objects.all().delete()
    LeaderStatusChange.objects.all().delete()
    Leader.objects.all().delete()
    Campaign.objects.filter(pk=campaign.pk).update(decided_until=None)
    campaign.refresh_from_db()

    many = _closing_queries(campaign, 40)

    assert many == few


# --- Waiting, comparing, reminding ------------------------------------------------------------------------


def test_waiting_checks_since_their_due_time_and_whether_the_mark_covers_them(campaign, world):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))
    campaign.refresh_from_db()

    waiting = datamark.waiting_checks(campaign, now=beijing(2024, 7, 4, 12))

    assert [(w.code, w.due_at, w.days, w.mark_allows) for w in waiting] == [
        ("basic:2024-05", beijing(2024, 6, 1), 33, True),
        ("special:checkpoint", beijing(2024, 6, 1), 33, True),
        ("basic:2024-06", beijing(2024, 7, 1), 3, False),
    ]
    assert waiting[2].message == "2024-06 基础项考核已到期，等待数据确认"


def test_compare_verdicts_flags_the_leaders_whose_verdict_todays_data_flips(campaign, world):
    at(beijing(2024, 6, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1))
    MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 20))
    before = counts()

    flagged = at(beijing(2024, 6, 2, 9), datamark.compare_verdicts, campaign)

    campaign.refresh_from_db()
    assert flagged == 1
    assert list(Leader.objects.exclude(stale_checks="").values_list("leader_account", "stale_checks")) == [
        ("P03", "special:checkpoint")]
    assert campaign.verdicts_compared_at == beijing(2024, 6, 2, 9)
    assert {k: v for k, v in counts().items() if k != "statuses"} == {
        k: v for k, v in before.items() if k != "statuses"}
    at(beijing(2024, 6, 2, 10), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1), recheck=True)
    assert Leader.objects.exclude(stale_checks="").count() == 0


@pytest.fixture
def operations(db):
    from django.contrib.auth.models import Group

    from reviews.roles import OPERATIONS, ensure_roles

    ensure_roles()
    user = UserFactory(username="ops@example.com", email="ops@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=OPERATIONS))
    return user


@pytest.mark.parametrize(("now", "reminded"), [
    (beijing(2024, 6, 4, 0, 0, 0), 0),  # waited exactly the 3 days allowed
    (beijing(2024, 6, 4, 0, 0, 1), 1),
])
def test_operations_are_reminded_once_a_day_after_the_waiting_days(campaign, world, operations, now, reminded):
    first = at(now, datamark.remind_waiting_checks, campaign, now=now)
    second = at(now, datamark.remind_waiting_checks, campaign, now=now)

    assert (first, second) == (reminded, 0)
    assert Notification.objects.filter(recipient=operations, channel="email").count() == reminded
    if reminded:
        email = Notification.objects.get(recipient=operations, channel="email")
        assert email.event == f"data_wait:{campaign.pk}:2024-06-04"
        assert "2024-05 基础项考核已到期，等待数据确认" in email.body


def test_marking_the_data_stops_the_reminder(campaign, world, operations):
    datamark.move_data_mark(campaign, to=beijing(2024, 6, 1), actor=None, now=beijing(2024, 6, 5))
    campaign.refresh_from_db()

    assert datamark.remind_waiting_checks(campaign, now=beijing(2024, 6, 5, 9)) == 0


# --- The mark itself --------------------------------------------------------------------------------------


def test_the_mark_moves_forward_only_and_not_beyond_now_with_an_audit_row(campaign):
    admin = UserFactory(username="campaign-admin@example.com")
    now = beijing(2024, 6, 3, 10)

    datamark.move_data_mark(campaign, to=beijing(2024, 6, 1), actor=admin, now=now)
    with pytest.raises(datamark.MarkRefused) as backwards:
        datamark.move_data_mark(campaign, to=beijing(2024, 5, 31, 23, 59, 59), actor=admin, now=now)
    with pytest.raises(datamark.MarkRefused) as future:
        datamark.move_data_mark(campaign, to=beijing(2024, 6, 3, 10, 0, 1), actor=admin, now=now)
    same = datamark.move_data_mark(campaign, to=beijing(2024, 6, 1), actor=admin, now=now)
    datamark.move_data_mark(campaign, to=now, actor=admin, now=now)

    campaign.refresh_from_db()
    assert campaign.data_complete_until == now
    assert same == beijing(2024, 6, 1)
    assert str(backwards.value) == ("数据完整时间只能向后推进：2024-05-31 23:59:59 早于当前的数据完整时间 "
                                    "2024-06-01 00:00:00。")
    assert "2024-06-01 00:00:00" in str(future.value)
    assert list(AuditEvent.objects.filter(action="data_mark").order_by("pk").values_list("actor", "details")) == [
        (admin.pk, {"from": None, "to": "2024-06-01T00:00:00+08:00"}),
        (admin.pk, {"from": "2024-06-01T00:00:00+08:00", "to": "2024-06-03T10:00:00+08:00"}),
    ]


def test_mark_for_a_day_is_the_next_midnight():
    from datetime import date

    assert datamark.mark_for_day(date(2024, 5, 31)) == beijing(2024, 6, 1)
    assert datamark.mark_for_day(date(2024, 12, 31)) == beijing(2025, 1, 1)


def test_thresholds_in_the_figures_keep_two_decimals(campaign, world):
    at(beijing(2024, 6, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1))

    figures = CheckResult.objects.get(leader=world["P01"], code="basic:2024-05").metrics

    assert (figures["gmv"], figures["min_gmv"]) == ("0.00", str(Decimal("0.00")))


def test_the_waiting_days_before_a_reminder_are_campaign_data(campaign, world, operations):
    campaign.data_wait_reminder_days = 5
    campaign.save(update_fields=["data_wait_reminder_days"])

    day_four = datamark.remind_waiting_checks(campaign, now=beijing(2024, 6, 4, 0, 0, 1))
    day_six = datamark.remind_waiting_checks(campaign, now=beijing(2024, 6, 6, 0, 0, 1))

    assert (day_four, day_six) == (0, 1)
