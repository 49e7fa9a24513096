"""The DingTalk alert outbox: raised once, sent to the right robot, throttled below the robot's limit in any rolling
minute, the rest batched into one message, back-off on 130101 and temporary errors, a refused robot held."""

from datetime import timedelta

import pytest
import time_machine

from notifications import alerts
from notifications.models import AlertKind, AlertStatus, DingTalkAlert, DingTalkRobot, RobotRequest
from recruitment.timeutils import beijing
from tests.factories import CampaignFactory, UserFactory
from tests.notifications.dingtalk_stub import SECRET, DingTalkStub

pytestmark = pytest.mark.django_db

T = beijing(2024, 5, 6, 9, 30)


@pytest.fixture
def stub(settings):
    settings.DINGTALK_TIMEOUT = 0.5
    settings.DINGTALK_MESSAGES_PER_MINUTE = 18
    with DingTalkStub(timeout_seconds=1.5) as running:
        settings.DINGTALK_ROBOT_WEBHOOK, settings.DINGTALK_ROBOT_SECRET = running.webhook, SECRET
        yield running


def raise_some(count, *, campaign=None, prefix="a"):
    with time_machine.travel(T - timedelta(seconds=1), tick=False):
        return [
            alerts.raise_alert(kind=AlertKind.TASK_FAILING, key=f"{prefix}:{n}", title=f"告警{n}", text=f"内容{n}",
                               campaign=campaign)
            for n in range(1, count + 1)
        ]


def send_at(moment):
    with time_machine.travel(moment, tick=False):
        return alerts.send_pending()


def statuses():
    return dict(DingTalkAlert.objects.values_list("key", "status"))


# --- Raising ------------------------------------------------------------------------------------------------


def test_an_alert_key_is_raised_once():
    first = alerts.raise_alert(kind=AlertKind.TASK_FAILING, key="k", title="标题", text="正文")
    second = alerts.raise_alert(kind=AlertKind.TASK_FAILING, key="k", title="另一个", text="另一个")

    assert second is None
    assert list(DingTalkAlert.objects.values_list("pk", "title", "status")) == [(first.pk, "标题", "pending")]


def test_mentions_keep_the_dingtalk_id_else_the_mobile_and_skip_who_has_neither():
    with_id = UserFactory(username="ops1", first_name="", last_name="", dingtalk_user_id="ding-1", mobile="13900000001")
    with_mobile = UserFactory(username="ops2", first_name="", last_name="", mobile="13900000002")
    neither = UserFactory(username="ops3", first_name="", last_name="")

    alert = alerts.raise_alert(kind=AlertKind.TASK_FAILING, key="k", title="t", text="x",
                               mention=[with_id, with_mobile, neither])

    assert alert.mentions == [{"name": "ops1", "user_id": "ding-1", "mobile": ""},
                              {"name": "ops2", "user_id": "", "mobile": "13900000002"}]


# --- Sending and throttling ---------------------------------------------------------------------------------


def test_a_pending_alert_is_sent_once_with_its_mentions(stub):
    user = UserFactory(dingtalk_user_id="ding-ops")
    with time_machine.travel(T, tick=False):
        alerts.raise_alert(kind=AlertKind.TASK_FAILING, key="k", title="标题", text="正文", mention=[user])

    assert (send_at(T), send_at(T + timedelta(minutes=1))) == (1, 0)

    assert stub.messages == [{
        "msgtype": "markdown", "markdown": {"title": "标题", "text": "### 标题\n\n正文\n\n@ding-ops"},
        "at": {"atUserIds": ["ding-ops"], "atMobiles": [], "isAtAll": False},
    }]
    alert = DingTalkAlert.objects.get()
    assert (alert.status, alert.sent_at, alert.attempts, alert.batch_size, alert.sent_via) == (
        AlertStatus.SENT, T, 1, 1, "环境变量配置的机器人")


def test_over_the_budget_the_rest_is_batched_and_no_minute_exceeds_the_budget(stub):
    raise_some(50)

    first = send_at(T)
    same_minute = send_at(T + timedelta(seconds=59))
    next_minute = send_at(T + timedelta(seconds=61))

    # 17 alerts on their own, the 18th request lists the next 20 (the batch's limit); 13 wait a minute.
    assert (first, same_minute, next_minute) == (37, 0, 13)
    assert len(stub.received) == 18 + 13
    combined = stub.messages[17]
    assert combined["markdown"]["title"] == "20 条告警"
    assert combined["markdown"]["text"].startswith(
        "### 20 条告警\n\n#### 1. 告警18\n\n内容18\n\n#### 2. 告警19\n\n内容19")
    assert combined["markdown"]["text"].endswith("#### 20. 告警37\n\n内容37")
    assert list(DingTalkAlert.objects.filter(batch_size=20).order_by("pk").values_list("title", flat=True)) == [
        f"告警{n}" for n in range(18, 38)]
    assert set(statuses().values()) == {AlertStatus.SENT}
    sent = sorted(RobotRequest.objects.values_list("sent_at", flat=True))
    assert all(sum(1 for s in sent if start - timedelta(seconds=60) < s <= start) <= 18 for start in sent)


def test_within_the_budget_every_alert_goes_on_its_own(stub):
    raise_some(18)

    assert send_at(T) == 18

    assert len(stub.messages) == 18
    assert set(DingTalkAlert.objects.values_list("batch_size", flat=True)) == {1}


def test_test_messages_count_against_the_same_minute(stub):
    RobotRequest.objects.bulk_create(
        [RobotRequest(robot_key="environment", sent_at=T - timedelta(seconds=30)) for _ in range(17)])
    raise_some(3)

    assert send_at(T) == 3  # one request left: the three alerts in one message

    assert [m["markdown"]["title"] for m in stub.messages] == ["3 条告警"]


def test_too_fast_backs_off_ten_minutes(stub):
    stub.scenarios = ["too_fast", "ok"]
    raise_some(2)

    assert send_at(T) == 0
    alert = DingTalkAlert.objects.get(key="a:1")
    assert (alert.status, alert.attempts, alert.next_attempt_at) == (
        AlertStatus.PENDING, 1, T + timedelta(minutes=10))
    assert alert.last_error == "errcode 130101: send too fast, exceed 20 times per minute"
    assert send_at(T + timedelta(minutes=9, seconds=59)) == 0
    assert len(stub.received) == 1  # nothing asked of the robot while it backs off
    assert send_at(T + timedelta(minutes=10)) == 2
    assert statuses() == {"a:1": AlertStatus.SENT, "a:2": AlertStatus.SENT}


def test_a_timeout_backs_off_the_alert_exponentially(stub):
    stub.scenarios = ["timeout", "timeout", "ok"]
    raise_some(1)

    send_at(T)
    send_at(T + timedelta(minutes=1))
    alert = DingTalkAlert.objects.get()
    assert (alert.attempts, alert.next_attempt_at, alert.last_error) == (
        2, T + timedelta(minutes=3), "timeout after 0.5s")
    assert send_at(T + timedelta(minutes=2, seconds=59)) == 0
    assert send_at(T + timedelta(minutes=3)) == 1


def test_a_refused_signature_fails_the_alert_and_holds_the_others_until_the_secret_changes(stub, settings):
    settings.DINGTALK_ROBOT_SECRET = "SECwrong"
    raise_some(3)

    assert send_at(T) == 0
    assert statuses() == {"a:1": AlertStatus.FAILED, "a:2": AlertStatus.PENDING, "a:3": AlertStatus.PENDING}
    assert DingTalkAlert.objects.get(key="a:1").last_error == "errcode 310000: sign not match"
    assert send_at(T + timedelta(minutes=5)) == 0
    assert len(stub.received) == 1

    settings.DINGTALK_ROBOT_SECRET = SECRET
    assert send_at(T + timedelta(minutes=6)) == 2
    assert statuses() == {"a:1": AlertStatus.FAILED, "a:2": AlertStatus.SENT, "a:3": AlertStatus.SENT}


def test_a_campaigns_alerts_go_to_its_active_robot_others_to_the_environments(stub, settings):
    own = CampaignFactory(slug="own", is_current=False)
    switched_off = CampaignFactory(slug="off", is_current=False)
    without = CampaignFactory(slug="without", is_current=False)
    with DingTalkStub(token="campaigntoken1234", secret="SECcampaign") as campaign_stub:
        DingTalkRobot.objects.create(campaign=own, webhook_url=campaign_stub.webhook, secret="SECcampaign")
        DingTalkRobot.objects.create(campaign=switched_off, webhook_url=campaign_stub.webhook, secret="SECcampaign",
                                     active=False)
        raise_some(1, campaign=own, prefix="own")
        raise_some(1, campaign=switched_off, prefix="off")
        raise_some(1, campaign=without, prefix="without")
        raise_some(1, prefix="global")

        assert send_at(T) == 4

        assert [m["markdown"]["title"] for m in campaign_stub.messages] == ["告警1"]
    assert len(stub.messages) == 3
    assert dict(DingTalkAlert.objects.values_list("key", "sent_via")) == {
        "own:1": "own 的机器人", "off:1": "环境变量配置的机器人", "without:1": "环境变量配置的机器人",
        "global:1": "环境变量配置的机器人"}


def test_without_any_robot_alerts_are_logged_and_marked_sent(settings, caplog):
    settings.DINGTALK_ROBOT_WEBHOOK = ""
    raise_some(1)

    with caplog.at_level("INFO", logger="notifications.dingtalk"):
        assert send_at(T) == 1

    assert "告警1" in caplog.text
    assert statuses() == {"a:1": AlertStatus.SENT}
