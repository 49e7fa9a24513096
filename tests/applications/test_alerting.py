"""The application deadline's DingTalk alert: once per campaign, after the deadline (to the second), with the
counts, @-mentioning the campaign admins; old deadlines are no news."""

from datetime import timedelta

import pytest

from applications.alerting import alert_deadlines
from applications.enums import ApplicationStatus
from notifications.models import AlertKind, DingTalkAlert
from recruitment.timeutils import beijing
from reviews.roles import CAMPAIGN_ADMIN
from tests.factories import ApplicationFactory
from tests.reviews.factories import staff_with_role

pytestmark = pytest.mark.django_db

S = ApplicationStatus
DEADLINE = beijing(2024, 4, 25, 23, 59, 59)


@pytest.fixture
def applications(campaign):
    for status, count in ((S.SUBMITTED, 3), (S.FILING, 1), (S.ROUND1_REJECTED, 1), (S.DRAFT, 2), (S.WITHDRAWN, 1)):
        ApplicationFactory.create_batch(count, campaign=campaign, status=status)


def test_the_deadline_raises_one_alert_with_the_counts_after_it_passed(campaign, applications):
    admin_user = staff_with_role(CAMPAIGN_ADMIN, username="campaign-admin", first_name="", last_name="",
                                 dingtalk_user_id="ding-admin")

    before = alert_deadlines(now=DEADLINE)
    after = alert_deadlines(now=DEADLINE + timedelta(seconds=1))
    again = alert_deadlines(now=DEADLINE + timedelta(minutes=1))

    assert (before, after, again) == ([], [campaign], [])
    alert = DingTalkAlert.objects.get()
    assert (alert.kind, alert.campaign, alert.key) == (
        AlertKind.DEADLINE_PASSED, campaign, f"deadline_passed:{campaign.pk}:2024-04-25T15:59:59Z")
    assert alert.title == f"报名已截止：{campaign.name}"
    assert alert.text == (f"{campaign.name} 的报名已于 2024-04-25 23:59:59（北京时间）截止：已提交 5 份，"
                          "未提交的草稿 2 份，已撤回 1 份。")
    assert alert.mentions == [{"name": admin_user.username, "user_id": "ding-admin", "mobile": ""}]


def test_a_deadline_older_than_the_alert_window_is_no_news(campaign, settings):
    settings.DINGTALK_DEADLINE_ALERT_DAYS = 3

    assert alert_deadlines(now=DEADLINE + timedelta(days=3)) == []
    assert alert_deadlines(now=DEADLINE + timedelta(days=3) - timedelta(seconds=1)) == [campaign]


def test_moving_the_deadline_raises_the_alert_of_the_new_one(campaign):
    alert_deadlines(now=DEADLINE + timedelta(seconds=1))
    campaign.application_closes_at = DEADLINE + timedelta(days=1)
    campaign.save(update_fields=["application_closes_at"])

    raised = alert_deadlines(now=DEADLINE + timedelta(days=1, seconds=1))

    assert raised == [campaign]
    assert DingTalkAlert.objects.count() == 2
