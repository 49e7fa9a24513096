"""Probation's DingTalk alerts: a due check waiting too long for its data (once per check), an import refused
(through the loader, the command and the admin page), each @-mentioning operations."""

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from notifications.models import AlertKind, DingTalkAlert
from probation import datamark
from probation.imports import import_file
from probation.models import Leader
from recruitment.timeutils import beijing
from reviews.roles import OPERATIONS, ensure_roles
from tests.factories import UserFactory, credit_code

pytestmark = pytest.mark.django_db

BAD_CODE = credit_code(1)[:-1] + ("0" if credit_code(1)[-1] != "0" else "1")


@pytest.fixture
def operations(db):
    ensure_roles()
    user = UserFactory(username="ops@example.com", first_name="", last_name="", is_staff=True,
                       dingtalk_user_id="ding-ops")
    user.groups.add(Group.objects.get(name=OPERATIONS))
    return user


# --- A due check waiting for data -------------------------------------------------------------------------


def remind(campaign, moment):
    with time_machine.travel(moment, tick=False):
        return datamark.remind_waiting_checks(campaign, now=moment)


def test_a_check_waiting_longer_than_allowed_raises_one_alert_per_check(campaign, world, operations):
    remind(campaign, beijing(2024, 6, 4, 0, 0, 0))  # waited exactly the 3 days allowed: nothing yet
    assert DingTalkAlert.objects.count() == 0

    remind(campaign, beijing(2024, 6, 4, 0, 0, 1))
    remind(campaign, beijing(2024, 6, 5, 9, 30))  # the next day: the e-mail again, no second alert

    alerts = {a.key: a for a in DingTalkAlert.objects.all()}
    basic = alerts[f"check_waiting:{campaign.pk}:basic:2024-05:2024-05-31T16:00:00Z"]
    assert (basic.kind, basic.campaign, basic.title) == (
        AlertKind.CHECK_WAITING, campaign, "等待数据：2024-05 基础项考核")
    assert basic.text == (f"{campaign.name} 的2024-05 基础项考核已于 2024-06-01 00:00:00（北京时间）到期，"
                          "已等待数据 3 天（数据完整至：未设置）。请导入数据并在试用期看板上确认。")
    assert basic.mentions == [{"name": "ops@example.com", "user_id": "ding-ops", "mobile": ""}]
    assert len(alerts) == len(datamark.waiting_checks(campaign, now=beijing(2024, 6, 4, 0, 0, 1)))


def test_marking_the_data_raises_no_waiting_alert(campaign, world, operations):
    datamark.move_data_mark(campaign, to=beijing(2024, 6, 1), actor=None, now=beijing(2024, 6, 5))
    campaign.refresh_from_db()

    remind(campaign, beijing(2024, 6, 5, 9))

    assert DingTalkAlert.objects.count() == 0


# --- An import refused ------------------------------------------------------------------------------------


def bad_leaders(tmp_path, rows=1):
    path = tmp_path / "leaders.csv"
    lines = ["团长账号,公司名称,统一社会信用代码,授权时间"] + [
        f"P{n:02},一号,{BAD_CODE},2024-05-06 10:00:00" for n in range(1, rows + 1)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_a_refused_import_raises_one_alert_listing_its_first_errors(campaign, operations, tmp_path):
    with time_machine.travel(beijing(2024, 6, 3, 10), tick=False):
        result = import_file("leaders", bad_leaders(tmp_path, rows=7), campaign=campaign)

    assert len(result.errors) == 7
    alert = DingTalkAlert.objects.get()
    assert (alert.kind, alert.campaign, alert.title) == (
        AlertKind.IMPORT_FAILED, campaign, "导入被拒：团长名单（试用期账号）")
    assert alert.key.startswith(f"import_failed:{campaign.pk}:leaders:")
    lines = alert.text.split("\n")
    assert lines[0] == (f"向 {campaign.name} 导入团长名单（试用期账号）（文件 leaders.csv，2024-06-03 10:00:00）"
                        "因 7 处错误被拒，未导入任何数据：")
    assert lines[2:] == [f"- {error}" for error in result.errors[:5]] + ["- ……另有 2 处"]
    assert alert.mentions == [{"name": "ops@example.com", "user_id": "ding-ops", "mobile": ""}]
    assert Leader.objects.count() == 0


def test_a_good_import_raises_nothing(campaign, operations, tmp_path):
    path = tmp_path / "leaders.csv"
    path.write_text(f"团长账号,公司名称,统一社会信用代码,授权时间\r\nP01,一号,{credit_code(1)},2024-05-06 10:00:00\r\n",
                    encoding="utf-8")

    assert import_file("leaders", path, campaign=campaign).ok

    assert DingTalkAlert.objects.count() == 0


def test_the_command_refusing_an_import_raises_the_alert(campaign, operations, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_data", "leaders", str(bad_leaders(tmp_path)), "--campaign", campaign.slug)

    alert = DingTalkAlert.objects.get()
    assert alert.text.startswith(f"向 {campaign.name} 导入团长名单（试用期账号）（文件 leaders.csv，")
    assert "因 1 处错误被拒" in alert.text


def test_the_admin_page_refusing_an_import_raises_the_alert(client, campaign, operations, tmp_path):
    client.force_login(operations)
    with bad_leaders(tmp_path).open("rb") as upload:
        response = client.post(reverse("admin:probation_dataimport_changelist"),
                               {"kind": "leaders", "campaign": campaign.slug, "file": upload})

    assert response.status_code == 200
    alert = DingTalkAlert.objects.get()
    assert alert.text.startswith(f"向 {campaign.name} 导入团长名单（试用期账号）（文件 leaders.csv，")
