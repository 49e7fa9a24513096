"""The DingTalk admin: robots for the campaign admin only, masked everywhere; the test message; the alert outbox
read-only; 我的钉钉信息 for every member of staff; the DingTalk user ID on the user page."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import NoReverseMatch, reverse

from notifications.models import DingTalkAlert, DingTalkRobot, RobotRequest
from reviews import roles
from tests.factories import UserFactory
from tests.notifications.dingtalk_stub import SECRET, TOKEN, DingTalkStub
from tests.reviews.factories import staff_with_role

pytestmark = pytest.mark.django_db

ROLES = {
    "reviewer": roles.ROUND1_REVIEWER, "risk": roles.RISK_OFFICER, "judge": roles.FINAL_COMMITTEE,
    "ops": roles.OPERATIONS, "campaign_admin": roles.CAMPAIGN_ADMIN,
}
WEBHOOK = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"


def staff(name):
    if name == "superuser":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    return staff_with_role(ROLES[name], username=name)


@pytest.fixture
def robot(campaign):
    return DingTalkRobot.objects.create(campaign=campaign, webhook_url=WEBHOOK, secret=SECRET)


# --- Who sees and edits robots ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "allowed"), [
    ("reviewer", False), ("risk", False), ("judge", False), ("ops", False), ("campaign_admin", True),
    ("superuser", True),
])
def test_only_the_campaign_admin_and_the_superuser_reach_the_robots(client, robot, who, allowed):
    client.force_login(staff(who))

    pages = [client.get(reverse("admin:notifications_dingtalkrobot_changelist")),
             client.get(reverse("admin:notifications_dingtalkrobot_change", args=[robot.pk])),
             client.get(reverse("admin:notifications_dingtalkrobot_add"))]

    assert [page.status_code for page in pages] == ([200, 200, 200] if allowed else [403, 403, 403])


@pytest.mark.parametrize("who", ["ops", "reviewer"])
def test_other_roles_cannot_change_a_robot(client, robot, who):
    client.force_login(staff(who))

    response = client.post(reverse("admin:notifications_dingtalkrobot_change", args=[robot.pk]),
                           {"campaign": robot.campaign.pk, "webhook_url": "https://evil.example/robot/send?"
                            "access_token=x", "secret": "SECx", "active": "on"})

    robot.refresh_from_db()
    assert (response.status_code, robot.webhook_url, robot.secret) == (403, WEBHOOK, SECRET)


def test_the_campaign_admin_adds_a_robot_and_is_recorded_as_its_editor(client, campaign):
    admin_user = staff("campaign_admin")
    client.force_login(admin_user)

    response = client.post(reverse("admin:notifications_dingtalkrobot_add"),
                           {"campaign": campaign.pk, "webhook_url": WEBHOOK, "secret": SECRET, "active": "on"})

    assert response.status_code == 302
    robot = DingTalkRobot.objects.get()
    assert (robot.webhook_url, robot.secret, robot.active, robot.changed_by) == (WEBHOOK, SECRET, True, admin_user)


def test_a_webhook_without_its_access_token_is_refused_keeping_what_was_typed(client, campaign):
    client.force_login(staff("campaign_admin"))

    response = client.post(reverse("admin:notifications_dingtalkrobot_add"), {
        "campaign": campaign.pk, "webhook_url": "https://oapi.dingtalk.com/robot/send", "secret": SECRET,
        "active": "on"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["webhook_url"] == [
        "请粘贴完整的 Webhook 地址（含 access_token）：https://oapi.dingtalk.com/robot/send?access_token=…"]
    assert 'value="https://oapi.dingtalk.com/robot/send"' in response.content.decode()
    assert DingTalkRobot.objects.count() == 0


def test_a_robot_has_no_export_and_no_delete(client, robot):
    client.force_login(staff("campaign_admin"))

    with pytest.raises(NoReverseMatch):
        reverse("admin:notifications_dingtalkrobot_export")
    response = client.get(reverse("admin:notifications_dingtalkrobot_delete", args=[robot.pk]))

    assert response.status_code == 403


# --- Masking ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["campaign_admin", "superuser"])
def test_the_token_and_the_secret_are_masked_in_the_list_the_form_and_the_history(client, robot, who):
    client.force_login(staff(who))

    pages = {
        "list": client.get(reverse("admin:notifications_dingtalkrobot_changelist")),
        "change": client.get(reverse("admin:notifications_dingtalkrobot_change", args=[robot.pk])),
        "history": client.get(reverse("admin:notifications_dingtalkrobot_history", args=[robot.pk])),
    }

    for page in pages.values():
        html = page.content.decode()
        assert (page.status_code, TOKEN in html, SECRET in html) == (200, False, False)
    assert "access_token=••••••••WXYZ" in pages["list"].content.decode()
    assert "••••••••9f3a" in pages["list"].content.decode()
    form = pages["change"].context["adminform"].form
    assert (form["webhook_url"].value(), form["secret"].value()) == ("", "")
    change = pages["change"].content.decode()
    assert 'placeholder="https://oapi.dingtalk.com/robot/send?access_token=••••••••WXYZ"' in change
    assert 'placeholder="••••••••9f3a"' in change
    assert change.count("留空则保留当前值。") == 2


def test_saving_with_both_inputs_empty_keeps_the_webhook_and_the_secret(client, robot):
    admin_user = staff("campaign_admin")
    client.force_login(admin_user)

    response = client.post(reverse("admin:notifications_dingtalkrobot_change", args=[robot.pk]),
                           {"campaign": robot.campaign.pk, "webhook_url": "", "secret": ""})

    robot.refresh_from_db()
    assert response.status_code == 302
    assert (robot.webhook_url, robot.secret, robot.active, robot.changed_by) == (WEBHOOK, SECRET, False, admin_user)
    assert SECRET not in LogEntry.objects.get(object_id=str(robot.pk)).change_message


def test_a_new_secret_replaces_the_old_one(client, robot):
    client.force_login(staff("campaign_admin"))

    client.post(reverse("admin:notifications_dingtalkrobot_change", args=[robot.pk]),
                {"campaign": robot.campaign.pk, "webhook_url": "", "secret": "SECnew", "active": "on"})

    robot.refresh_from_db()
    assert (robot.webhook_url, robot.secret) == (WEBHOOK, "SECnew")


# --- 发送测试消息 ----------------------------------------------------------------------------------------------


def send_test(client, robot):
    return client.post(reverse("admin:notifications_dingtalkrobot_changelist"),
                       {"action": "send_test_message", "_selected_action": [robot.pk]}, follow=True)


def test_the_test_message_reaches_the_robot_and_says_so(client, campaign, settings):
    settings.DINGTALK_TIMEOUT = 0.5
    user = staff("campaign_admin")
    type(user).objects.filter(pk=user.pk).update(dingtalk_user_id="ding-admin")
    client.force_login(user)
    with DingTalkStub() as stub:
        robot = DingTalkRobot.objects.create(campaign=campaign, webhook_url=stub.webhook, secret=SECRET)

        response = send_test(client, robot)

    assert [str(m) for m in response.context["messages"]] == [f"测试消息已发送到 {campaign} 的机器人。"]
    (message,) = stub.messages
    assert message["markdown"]["text"] == (
        f"招募系统测试消息（由 campaign_admin 发送）：本群将接收 {campaign} 的告警。\n\n@ding-admin")
    assert message["at"]["atUserIds"] == ["ding-admin"]
    assert list(RobotRequest.objects.values_list("robot_key", "outcome")) == [(f"robot:{robot.pk}", "ok")]


def test_a_refused_test_message_shows_dingtalks_answer(client, campaign, settings):
    settings.DINGTALK_TIMEOUT = 0.5
    client.force_login(staff("campaign_admin"))
    with DingTalkStub() as stub:
        robot = DingTalkRobot.objects.create(campaign=campaign, webhook_url=stub.webhook, secret="SECwrong")

        response = send_test(client, robot)

    assert [str(m) for m in response.context["messages"]] == ["钉钉未接受测试消息：errcode 310000: sign not match"]
    assert stub.messages == []


def test_operations_cannot_send_a_test_message(client, robot):
    client.force_login(staff("ops"))

    response = send_test(client, robot)

    assert response.status_code == 403
    assert RobotRequest.objects.count() == 0


def test_a_get_of_the_list_sends_nothing(client, robot):
    client.force_login(staff("campaign_admin"))

    client.get(reverse("admin:notifications_dingtalkrobot_changelist"), {"action": "send_test_message"})

    assert RobotRequest.objects.count() == 0


# --- The alert outbox ---------------------------------------------------------------------------------------


@pytest.fixture
def alert(campaign):
    return DingTalkAlert.objects.create(campaign=campaign, kind="import_failed", key="k", title="导入被拒：商家",
                                        text="第 3 行", mentions=[{"name": "ops", "user_id": "d", "mobile": ""}])


@pytest.mark.parametrize(("who", "allowed"), [
    ("reviewer", False), ("risk", False), ("judge", False), ("ops", True), ("campaign_admin", True),
    ("superuser", True),
])
def test_the_alert_outbox_is_read_by_operations_and_the_campaign_admin(client, alert, who, allowed):
    client.force_login(staff(who))

    listing = client.get(reverse("admin:notifications_dingtalkalert_changelist"))
    change = client.get(reverse("admin:notifications_dingtalkalert_change", args=[alert.pk]))

    assert (listing.status_code, change.status_code) == ((200, 200) if allowed else (403, 403))
    if allowed:
        assert list(listing.context["cl"].result_list) == [alert]
        assert "导入被拒：商家" in change.content.decode()


@pytest.mark.parametrize("who", ["ops", "campaign_admin"])
def test_the_alert_outbox_is_read_only(client, alert, who):
    client.force_login(staff(who))

    add = client.get(reverse("admin:notifications_dingtalkalert_add"))
    change = client.post(reverse("admin:notifications_dingtalkalert_change", args=[alert.pk]), {"title": "x"})

    alert.refresh_from_db()
    assert (add.status_code, change.status_code, alert.title) == (403, 403, "导入被拒：商家")


# --- 我的钉钉信息 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "ops", "campaign_admin", "superuser"])
def test_any_member_of_staff_sets_their_own_dingtalk_id_and_mobile(client, who):
    user = staff(who)
    client.force_login(user)

    shown = client.get(reverse("admin:my_dingtalk"))
    saved = client.post(reverse("admin:my_dingtalk"), {"dingtalk_user_id": " ding-123 ", "mobile": "139 0000 0009"},
                        follow=True)

    user.refresh_from_db()
    assert shown.status_code == 200
    assert (user.dingtalk_user_id, user.mobile) == ("ding-123", "13900000009")
    assert [str(m) for m in saved.context["messages"]] == ["您的钉钉信息已保存。"]
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert (entry.user_id, entry.get_change_message()) == (user.pk, "已修改钉钉用户 ID 和 手机号。")


def test_the_page_is_linked_from_the_user_tools_and_a_get_writes_nothing(client):
    user = staff("reviewer")
    client.force_login(user)

    index = client.get(reverse("admin:index"))
    page = client.get(reverse("admin:my_dingtalk"), {"dingtalk_user_id": "x", "mobile": "13900000009"})

    user.refresh_from_db()
    assert f'href="{reverse("admin:my_dingtalk")}">我的钉钉信息</a>' in index.content.decode()
    assert page.context["form"]["dingtalk_user_id"].value() == ""
    assert (user.dingtalk_user_id, user.mobile, LogEntry.objects.count()) == ("", "", 0)


def test_a_bad_or_taken_mobile_is_refused_keeping_what_was_typed(client):
    UserFactory(username="13900000007", mobile="13900000007")
    user = staff("ops")
    client.force_login(user)

    bad = client.post(reverse("admin:my_dingtalk"), {"dingtalk_user_id": "ding-9", "mobile": "12345"})
    taken = client.post(reverse("admin:my_dingtalk"), {"dingtalk_user_id": "ding-9", "mobile": "13900000007"})

    user.refresh_from_db()
    assert bad.context["form"].errors == {"mobile": ["请输入中国大陆手机号：以 1 开头的 11 位数字。"]}
    assert taken.context["form"].errors == {"mobile": ["该手机号已被其他账号使用。"]}
    assert 'value="ding-9"' in bad.content.decode()
    assert (user.dingtalk_user_id, user.mobile) == ("", "")


def test_an_applicant_is_sent_to_the_admin_login(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("admin:my_dingtalk"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_user_page_has_the_dingtalk_user_id_with_the_contact_details(client):
    client.force_login(staff("superuser"))
    member = staff("ops")

    response = client.get(reverse("admin:accounts_user_change", args=[member.pk]))

    contact = next(fs for fs in response.context["adminform"] if str(fs.name) == "联系方式")
    assert list([line.fields for line in contact][-1]) == ["dingtalk_user_id"]


def test_a_campaign_robot_is_shown_by_its_campaign(robot, campaign):
    assert str(robot) == str(campaign)


def test_a_plain_http_webhook_is_refused(client, campaign):
    client.force_login(staff("campaign_admin"))

    response = client.post(reverse("admin:notifications_dingtalkrobot_add"), {
        "campaign": campaign.pk, "webhook_url": f"http://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
        "secret": SECRET, "active": "on"})

    assert response.context["adminform"].form.errors["webhook_url"] == ["Webhook 地址必须以 https:// 开头。"]
    assert DingTalkRobot.objects.count() == 0
