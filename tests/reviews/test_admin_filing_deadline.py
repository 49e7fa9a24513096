"""The filing deadline in the admin: the round-2 queue's close-out (未按时备案) and reopen (恢复备案) actions with
their confirmations, and the dashboard's figure of who still has to file and until when."""

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicationStatus
from applications.models import Application
from audit.enums import AuditAction
from audit.models import AuditEvent
from notifications.models import Notification
from recruitment.timeutils import beijing
from reviews import roles
from reviews.filing import close_out_non_filer
from tests.factories import UserFactory
from tests.reviews.factories import SubmittedApplicationFactory, staff_with_role

pytestmark = pytest.mark.django_db

S = ApplicationStatus
QUEUE_URL = reverse("admin:reviews_riskqueue_changelist")
AFTER = beijing(2024, 4, 28, 9)
CLOSE_OUT, REOPEN = "close_out_non_filers", "reopen_filing"


@pytest.fixture
def waiting(campaign):
    return [SubmittedApplicationFactory(campaign=campaign, status=S.FILING, company_name=name, alliance_account=account)
            for name, account in (("甲公司", "mm_jia"), ("乙公司", "mm_yi"))]


@pytest.fixture
def filed(campaign):
    return SubmittedApplicationFactory(campaign=campaign, status=S.RISK_REVIEW, company_name="丙公司")


def login(client, role):
    user = staff_with_role(role) if role else UserFactory(is_staff=True)
    client.force_login(user)
    return user


def act(client, action, applications, **extra):
    """The change list's action form (first step), or with ``post=yes`` the confirmation."""
    data = {"action": action, "_selected_action": [a.pk for a in applications], **extra}
    if "post" not in extra:
        data["index"] = "0"
    with time_machine.travel(AFTER, tick=False):
        return client.post(QUEUE_URL, data, follow=True)


def statuses():
    return dict(Application.objects.values_list("company_name", "status"))


def offered_actions(client):
    with time_machine.travel(AFTER, tick=False):
        response = client.get(QUEUE_URL)
    return [name for name, _label in response.context["action_form"].fields["action"].choices if name]


# --- Who is offered which action ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [
    (roles.RISK_OFFICER, ["rerun_assessment", CLOSE_OUT]),
    (roles.CAMPAIGN_ADMIN, [REOPEN]),
])
def test_each_role_is_offered_its_own_decision(client, waiting, role, expected):
    login(client, role)

    assert offered_actions(client) == expected


def test_the_campaign_admin_cannot_post_the_close_out(client, waiting):
    login(client, roles.CAMPAIGN_ADMIN)

    response = act(client, CLOSE_OUT, waiting, post="yes")

    assert response.status_code == 200
    assert statuses() == {"甲公司": S.FILING, "乙公司": S.FILING}
    assert AuditEvent.objects.count() == 0


def test_the_risk_officer_cannot_post_the_reopen(client, campaign, waiting):
    close_out_non_filer(waiting[0], actor=staff_with_role(roles.RISK_OFFICER), now=AFTER)
    login(client, roles.RISK_OFFICER)

    act(client, REOPEN, waiting[:1], post="yes", reason="理由")

    assert statuses()["甲公司"] == S.FILING_LAPSED


# --- Close-out: preview, then confirm -------------------------------------------------------------------------


def test_the_close_out_previews_who_is_closed_out_and_writes_nothing(client, waiting, filed):
    login(client, roles.RISK_OFFICER)

    response = act(client, CLOSE_OUT, [*waiting, filed])

    assert [(row.application.company_name, row.refusal) for row in response.context["rows"]] == [
        ("甲公司", ""), ("乙公司", ""), ("丙公司", f"该申请并非待备案状态（当前为“{S.RISK_REVIEW.label}”）。"),
    ]
    assertContains(response, '<input type="submit" id="btn-close-out" value="确认关闭 2 个申请">', html=True)
    page = response.content.decode()
    assert page.count('name="_selected_action"') == 2  # only the ones listed as closed out
    assert f'name="_selected_action" value="{filed.pk}"' not in page
    assert statuses() == {"甲公司": S.FILING, "乙公司": S.FILING, "丙公司": S.RISK_REVIEW}
    assert AuditEvent.objects.count() == 0


def test_before_the_deadline_the_preview_closes_out_nobody(client, waiting):
    login(client, roles.RISK_OFFICER)

    with time_machine.travel(beijing(2024, 4, 27, 23, 59, 59), tick=False):
        response = client.post(QUEUE_URL, {"action": CLOSE_OUT, "_selected_action": [waiting[0].pk], "index": "0"})

    assertContains(response, "所选申请均不能关闭。")
    assertContains(response, "不关闭： 备案截止时间（2024-04-27 23:59:59，北京时间）尚未到。")
    assertNotContains(response, 'id="close-out-form"')


def test_confirming_closes_out_the_listed_applications(client, waiting):
    risk_officer = login(client, roles.RISK_OFFICER)

    response = act(client, CLOSE_OUT, waiting, post="yes")

    assert response.redirect_chain == [(QUEUE_URL, 302)]
    assertContains(response, "已将 2 个申请关闭为未按时备案。")
    assert statuses() == {"甲公司": S.FILING_LAPSED, "乙公司": S.FILING_LAPSED}
    assert sorted(AuditEvent.objects.values_list("action", "actor", "object_id")) == sorted(
        [(AuditAction.FILING_CLOSE_OUT, risk_officer.pk, str(a.pk)) for a in waiting])


def test_an_application_that_filed_between_preview_and_confirmation_is_not_closed_out(client, waiting):
    login(client, roles.RISK_OFFICER)
    Application.objects.filter(pk=waiting[1].pk).update(status=S.RISK_REVIEW)  # filed meanwhile

    response = act(client, CLOSE_OUT, waiting, post="yes")

    assertContains(response, f"乙公司：未关闭。该申请并非待备案状态（当前为“{S.RISK_REVIEW.label}”）。")
    assertContains(response, "已将 1 个申请关闭为未按时备案。")
    assert statuses() == {"甲公司": S.FILING_LAPSED, "乙公司": S.RISK_REVIEW}


def test_closed_out_applications_stay_in_the_round2_queue(client, waiting):
    close_out_non_filer(waiting[0], actor=staff_with_role(roles.RISK_OFFICER), now=AFTER)
    login(client, roles.CAMPAIGN_ADMIN)

    with time_machine.travel(AFTER, tick=False):
        response = client.get(QUEUE_URL, {"status__exact": S.FILING_LAPSED})

    assert [a.company_name for a in response.context["cl"].result_list] == ["甲公司"]
    assertContains(response, "未按时备案")


# --- Reopen: the reason, then confirm --------------------------------------------------------------------------


@pytest.fixture
def lapsed(waiting):
    risk_officer = staff_with_role(roles.RISK_OFFICER)
    return [close_out_non_filer(application, actor=risk_officer, now=AFTER) for application in waiting]


def test_reopening_asks_for_a_reason_and_refuses_without_one(client, lapsed):
    login(client, roles.CAMPAIGN_ADMIN)

    ask = act(client, REOPEN, lapsed)
    empty = act(client, REOPEN, lapsed, post="yes", reason="  ")

    assertContains(ask, '<input type="submit" class="default" id="btn-reopen-filing" value="为 2 个申请恢复备案">',
                   html=True)
    assert ask.context["form"].is_bound is False
    assert empty.context["form"].errors == {"reason": ["这个字段是必填项。"]}
    assert statuses() == {"甲公司": S.FILING_LAPSED, "乙公司": S.FILING_LAPSED}
    assert Notification.objects.count() == 0


def test_reopening_with_a_reason_gives_the_filing_back_and_tells_the_applicants(client, lapsed):
    admin = login(client, roles.CAMPAIGN_ADMIN)

    response = act(client, REOPEN, lapsed, post="yes", reason="系统故障，经核实恢复")

    assertContains(response, "2 个申请已恢复为待备案，并已通知申请人。")
    assert statuses() == {"甲公司": S.FILING, "乙公司": S.FILING}
    reopened = AuditEvent.objects.filter(action=AuditAction.FILING_REOPEN).values_list("actor", "object_id", "details")
    assert sorted(reopened, key=lambda row: int(row[1])) == [
        (admin.pk, str(lapsed[0].pk), {"reason": "系统故障，经核实恢复"}),
        (admin.pk, str(lapsed[1].pk), {"reason": "系统故障，经核实恢复"}),
    ]
    told = Notification.objects.filter(event__startswith="filing_reopened:")
    assert sorted(set(told.values_list("application", flat=True))) == [lapsed[0].pk, lapsed[1].pk]


def test_an_application_not_closed_out_is_listed_as_not_reopened(client, lapsed, filed):
    login(client, roles.CAMPAIGN_ADMIN)

    response = act(client, REOPEN, [lapsed[0], filed])

    assert [(a.company_name, refusal) for a, refusal in response.context["rows"]] == [
        ("甲公司", ""), ("丙公司", "只有因未按时备案而关闭的申请才能恢复备案。")]
    assert response.content.decode().count('name="_selected_action"') == 1


# --- The dashboard ---------------------------------------------------------------------------------------------


def dashboard(client, role, at):
    login(client, role)
    with time_machine.travel(at, tick=False):
        return client.get(reverse("admin:index"))


@pytest.mark.parametrize("role", [roles.RISK_OFFICER, roles.CAMPAIGN_ADMIN])
def test_the_dashboard_shows_who_still_has_to_file_and_until_when(client, campaign, waiting, role):
    close_out_non_filer(waiting[0], actor=staff_with_role(roles.RISK_OFFICER), now=AFTER)
    SubmittedApplicationFactory(campaign=campaign, status=S.FILING)

    before = dashboard(client, role, beijing(2024, 4, 25, 23, 59, 59))
    after = dashboard(client, role, AFTER)

    figures = before.context["dashboard"]["filing"]["figures"]
    assert (figures.waiting, figures.lapsed, figures.deadline_passed) == (2, 1, False)
    assertContains(before, '<td class="count" id="filing-waiting">2</td>', html=True)
    assertContains(before, "2024-04-27 23:59:59")
    assertContains(before, "剩余 2\xa0日")
    assertContains(before, '<td class="count" id="filing-lapsed">1</td>', html=True)
    queue = f"{QUEUE_URL}?campaign__id__exact={campaign.pk}&amp;status__exact="
    assertContains(before, f'<a href="{queue}filing">待备案</a>', html=True)
    assertContains(before, f'<a href="{queue}filing_lapsed">已关闭：未按时备案</a>', html=True)
    assertNotContains(before, 'id="filing-close-out-hint"')
    assertContains(after, 'id="filing-close-out-hint"')
    assertContains(after, '<span class="passed">已过</span>', html=True)


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.FINAL_COMMITTEE, roles.OPERATIONS])
def test_roles_outside_round2_do_not_see_the_filing_figure(client, waiting, role):
    response = dashboard(client, role, AFTER)

    assert "filing" not in response.context["dashboard"]
    assertNotContains(response, 'id="dashboard-filing"')
