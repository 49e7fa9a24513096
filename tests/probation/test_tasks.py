"""The scheduled jobs: evaluation at the instants the campaign row says, closures told once, reminders."""

import logging
from decimal import Decimal

import pytest
import time_machine

from notifications.models import Notification
from probation.enums import LeaderStatus, ViolationKind
from probation.models import CheckResult, LeaderStatusChange
from probation.services import closed_in_campaign, record_violation
from probation.tasks import evaluate_due, send_at_risk_reminders
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, CampaignFactory, UserFactory
from tests.probation.conftest import make_new_merchant
from tests.probation.factories import (
    ActivityFactory,
    EnrollmentFactory,
    LeaderFactory,
    MerchantFactory,
    OrderFactory,
)
from tests.probation.test_services import relax

pytestmark = pytest.mark.django_db


def run_task(task, at):
    with time_machine.travel(at, tick=False):
        return task.delay().get()


def run_evaluate_due(at):
    """The scheduled job at ``at``, after staff marked every campaign's data complete up to ``at``."""
    Campaign.objects.update(data_complete_until=at)
    return run_task(evaluate_due, at)


@pytest.fixture
def applicant_leader(campaign):
    # The leader's own account (notices go to it, not to the questionnaire's contact details).
    application = ApplicationFactory(campaign=campaign, applicant=UserFactory(username="boss@example.com",
                                                                              mobile="13800000001"))
    return LeaderFactory(campaign=campaign, leader_account="P01", application=application)


def _checkpoint_results():
    return list(CheckResult.objects.filter(code="special:checkpoint").values_list("leader__leader_account", "passed",
                                                                                     "due_at"))


def test_evaluate_due_follows_a_checkpoint_moved_in_the_database(campaign, leader):
    relax(campaign)
    campaign.checkpoint_min_new_merchants = 2
    campaign.save()
    run_evaluate_due(beijing(2024, 5, 20, 12))
    # Staff move the checkpoint a week later after the job already ran once.
    campaign.checkpoint_ends_at = beijing(2024, 6, 7, 23, 59, 59)
    campaign.save(update_fields=["checkpoint_ends_at"])

    run_evaluate_due(beijing(2024, 6, 1))  # the old due instant: May is judged, not the checkpoint
    at_old_instant = _checkpoint_results()
    run_evaluate_due(beijing(2024, 6, 7, 23, 59, 59))
    one_second_before = _checkpoint_results()
    run_evaluate_due(beijing(2024, 6, 8))

    leader.refresh_from_db()
    assert at_old_instant == []
    assert list(CheckResult.objects.filter(code="basic:2024-05").values_list("passed", flat=True)) == [True]
    assert one_second_before == []
    assert _checkpoint_results() == [("P01", False, beijing(2024, 6, 8))]
    assert (leader.status, leader.closed_at, leader.closure_reason) == (
        LeaderStatus.CLOSED, beijing(2024, 6, 8), "special:checkpoint"
    )


def test_evaluate_due_counts_merchants_up_to_the_moved_checkpoint(campaign, leader):
    relax(campaign)
    campaign.checkpoint_min_new_merchants = 2
    campaign.checkpoint_ends_at = beijing(2024, 6, 7, 23, 59, 59)
    campaign.save()
    MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 12))
    MerchantFactory(leader=leader, opened_at=beijing(2024, 6, 7, 23, 59, 59))

    run_evaluate_due(beijing(2024, 6, 8))

    result = CheckResult.objects.get(code="special:checkpoint")
    assert (result.passed, result.metrics) == (True, {"new_merchants": 2, "min_new_merchants": 2})


def test_evaluate_due_skips_campaigns_without_leaders(campaign):
    other = CampaignFactory(slug="empty", is_current=False)

    lines = run_evaluate_due(beijing(2024, 9, 1))

    assert lines == []
    assert CheckResult.objects.count() == 0
    assert other.leaders.count() == 0


def test_evaluate_due_twice_closes_and_notifies_once(campaign, applicant_leader):
    first = run_evaluate_due(beijing(2024, 6, 1))
    notifications = list(Notification.objects.values_list("event", "channel", "recipient", "address"))
    changes = LeaderStatusChange.objects.count()

    second = run_evaluate_due(beijing(2024, 6, 1, 0, 1))

    applicant = applicant_leader.application.applicant
    assert first == [
        "2024-nx2: basic:2024-05 (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: special:checkpoint (due 2024-06-01T00:00:00+08:00): 0 passed, 1 failed",
        "2024-nx2: closed P01 at 2024-06-01T00:00:00+08:00 (basic:2024-05;special:checkpoint)",
    ]
    assert second == []
    assert sorted(notifications) == [
        (f"probation_closed:{applicant_leader.pk}", "email", applicant.pk, "boss@example.com"),
        (f"probation_closed:{applicant_leader.pk}", "inapp", applicant.pk, ""),
        (f"probation_closed:{applicant_leader.pk}", "sms", applicant.pk, "13800000001"),
    ]
    assert Notification.objects.count() == 3
    assert LeaderStatusChange.objects.count() == changes == 1


def test_closure_message_says_when_and_why(campaign, applicant_leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_evaluate_due(beijing(2024, 6, 1))

    email = Notification.objects.get(channel="email")
    assert email.subject == f"招商团长权限已关闭：{campaign.name}"
    assert "2024-06-01 00:00:00" in email.body
    assert "原因：2024-05 基础项考核；纳新专项考核：阶段节点\n" in email.body
    assert email.sent_at is not None  # delivered after commit (eager Celery in tests)


def test_closure_of_an_imported_leader_notifies_no_one_and_logs_it(campaign, leader, caplog):
    with caplog.at_level(logging.INFO, logger="probation.notices"):
        run_evaluate_due(beijing(2024, 6, 1))

    leader.refresh_from_db()
    assert leader.status == LeaderStatus.CLOSED
    assert Notification.objects.count() == 0
    assert f"probation: P01 has no account here (imported leader): probation_closed:{leader.pk} not notified" in (
        caplog.messages
    )


def test_closed_leader_is_barred_from_this_round_only(campaign, leader):
    other = CampaignFactory(slug="2025-nx3", is_current=False)
    run_evaluate_due(beijing(2024, 6, 1))

    assert closed_in_campaign(campaign, leader_account="P01") is True
    assert closed_in_campaign(campaign, credit_code=leader.credit_code) is True
    assert closed_in_campaign(campaign, leader_account="P02") is False
    assert closed_in_campaign(other, leader_account="P01") is False


def test_violation_closes_voids_the_reward_and_tells_the_leader(campaign, applicant_leader):
    for _n in range(3):
        make_new_merchant(applicant_leader, opened_at=beijing(2024, 5, 12))
    from probation.report import report_rows

    eligible_before = report_rows(campaign)[0]["reward_eligible"]
    with time_machine.travel(beijing(2024, 7, 15, 12), tick=False):
        record_violation(applicant_leader, kind=ViolationKind.INDUCED_REBATE, note="诱导返利", actor=None,
                         close_permission=True)

    applicant_leader.refresh_from_db()
    row = report_rows(campaign)[0]
    assert eligible_before == "yes"
    assert (row["status"], row["closed_at"], row["reward_eligible"]) == ("closed", "2024-07-15T12:00:00+08:00", "no")
    assert applicant_leader.closure_reason == "violation:induced_rebate"
    assert sorted(Notification.objects.values_list("event", "channel")) == [
        (f"probation_closed:{applicant_leader.pk}", "email"),
        (f"probation_closed:{applicant_leader.pk}", "inapp"),
        (f"probation_closed:{applicant_leader.pk}", "sms"),
    ]
    assert "违规：诱导返利" in Notification.objects.get(channel="email").body


def test_violation_of_an_already_closed_leader_is_its_own_message(campaign, applicant_leader):
    run_evaluate_due(beijing(2024, 6, 1))
    with time_machine.travel(beijing(2024, 7, 15, 12), tick=False):
        violation = record_violation(applicant_leader, kind=ViolationKind.FAKE_ORDERS, note="", actor=None)

    applicant_leader.refresh_from_db()
    assert applicant_leader.closed_at == beijing(2024, 6, 1)
    assert sorted(set(Notification.objects.values_list("event", flat=True))) == [
        f"probation_closed:{applicant_leader.pk}",
        f"probation_violation:{violation.pk}",
    ]


# --- At-risk reminders --------------------------------------------------------------------------------


def _meet_june(leader, *, gmv="10000.00", items=10):
    """June figures of ``leader``: 1 activity, 3 merchants, ``items`` items, ``gmv`` yuan."""
    activity = ActivityFactory(leader=leader, created_at=beijing(2024, 6, 2))
    merchants = [MerchantFactory(leader=leader, opened_at=beijing(2024, 1, 1)) for _n in range(3)]
    for n in range(items):
        EnrollmentFactory(activity=activity, merchant=merchants[n % 3], enrolled_at=beijing(2024, 6, 3))
    OrderFactory(leader=leader, merchant=merchants[0], paid_at=beijing(2024, 6, 4), paid_amount=Decimal(gmv))


@pytest.fixture
def june_leaders(campaign):
    """P01 (from an application) is 0.01 yuan short of June's GMV; P02 meets every June threshold."""
    short = LeaderFactory(campaign=campaign, leader_account="P01",
                          application=ApplicationFactory(campaign=campaign, applicant=UserFactory(
                              username="p01@example.com", mobile="13800000011")))
    _meet_june(short, gmv="9999.99")
    met = LeaderFactory(campaign=campaign, leader_account="P02",
                        application=ApplicationFactory(campaign=campaign, applicant=UserFactory(
                            username="p02@example.com", mobile="13800000012")))
    _meet_june(met)
    return short, met


def _reminders():
    return sorted(Notification.objects.filter(event__startswith="at_risk:").values_list("event", "channel"))


def test_at_risk_reminder_is_not_sent_the_day_before_the_reminder_day(june_leaders):
    result = run_task(send_at_risk_reminders, beijing(2024, 6, 19, 23, 59, 59))

    assert result == {"2024-nx2": 0}
    assert _reminders() == []


def test_at_risk_reminder_on_the_reminder_day_reaches_only_leaders_below_a_threshold(june_leaders):
    short, _met = june_leaders

    result = run_task(send_at_risk_reminders, beijing(2024, 6, 20, 9))

    assert result == {"2024-nx2": 1}
    assert _reminders() == [(f"at_risk:{short.pk}:2024-06", "email"), (f"at_risk:{short.pk}:2024-06", "inapp"),
                            (f"at_risk:{short.pk}:2024-06", "sms")]
    email = Notification.objects.get(event=f"at_risk:{short.pk}:2024-06", channel="email")
    assert email.subject == "试用期提醒：2024-06 基础项考核尚未达标"
    assert "- 招商效果（GMV，元）：9999.99 / 10000.00（未达标）\n" in email.body
    assert "- 新推广活动个数：1 / 1\n" in email.body
    assert "还剩 11 天：本月于 2024-06-30 23:59:59（北京时间）结束。" in email.body


def test_at_risk_reminder_is_sent_once_per_month(june_leaders):
    run_task(send_at_risk_reminders, beijing(2024, 6, 20, 9))

    again = run_task(send_at_risk_reminders, beijing(2024, 6, 20, 9, 30))
    next_day = run_task(send_at_risk_reminders, beijing(2024, 6, 21, 9))

    assert (again, next_day) == ({"2024-nx2": 0}, {"2024-nx2": 0})
    assert len(_reminders()) == 3


def test_at_risk_reminder_follows_the_campaign_reminder_day(campaign, june_leaders):
    campaign.at_risk_reminder_day = 25
    campaign.save(update_fields=["at_risk_reminder_day"])

    on_20th = run_task(send_at_risk_reminders, beijing(2024, 6, 20, 9))
    on_25th = run_task(send_at_risk_reminders, beijing(2024, 6, 25, 9))

    assert (on_20th, on_25th) == ({"2024-nx2": 0}, {"2024-nx2": 1})


def test_at_risk_reminder_skips_closed_leaders(june_leaders):
    short, _met = june_leaders
    with time_machine.travel(beijing(2024, 6, 10), tick=False):
        record_violation(short, kind=ViolationKind.CHEATING, note="", actor=None, close_permission=True)
    Notification.objects.all().delete()

    result = run_task(send_at_risk_reminders, beijing(2024, 6, 20, 9))

    assert result == {"2024-nx2": 0}
    assert _reminders() == []
