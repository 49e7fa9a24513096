"""Round 1 in the admin: the queue, the pass / reject actions and their page, phone tasks, the checklist."""

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicationStatus
from audit.models import AuditEvent
from notifications.models import Notification
from recruitment.timeutils import beijing
from reviews import roles
from reviews.enums import CallOutcome
from reviews.models import ChecklistItem, PhoneTask, Round1Review
from tests.factories import UserFactory
from tests.reviews.factories import (
    CallAttemptFactory,
    PhoneTaskFactory,
    SubmittedApplicationFactory,
    staff_with_role,
)

S = ApplicationStatus
QUEUE_URL = reverse("admin:reviews_round1queue_changelist")
PASS_URL = reverse("admin:reviews_round1queue_decide", args=["pass"])
REJECT_URL = reverse("admin:reviews_round1queue_decide", args=["reject"])
OTHER_ROLES = [roles.RISK_OFFICER, roles.FINAL_COMMITTEE, roles.OPERATIONS, roles.CAMPAIGN_ADMIN, None]


def login(client, role):
    user = staff_with_role(role) if role else UserFactory(is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def reviewer_client(client, db):
    login(client, roles.ROUND1_REVIEWER)
    return client


@pytest.fixture
def submitted_pair(campaign):
    # Accounts with a mobile number: the pass is told by e-mail, SMS and on the status page.
    return [SubmittedApplicationFactory(campaign=campaign, applicant=UserFactory(mobile=f"1370000000{n}"))
            for n in range(2)]


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The queue -----------------------------------------------------------------------------------------


def test_queue_lists_submitted_applications_with_counts(reviewer_client, campaign, submitted_pair):
    SubmittedApplicationFactory(campaign=campaign, status=S.FILING, company_name="已过初审公司")

    response = reviewer_client.get(QUEUE_URL, {"campaign__id__exact": campaign.pk})

    page = response.content.decode()
    assert response.status_code == 200
    assert [a.pk for a in response.context["cl"].result_list] == [a.pk for a in submitted_pair]
    assert "已过初审公司" not in page
    assert "待初审：2 · 已通过：0 · 未通过：0" in page
    assert '<option value="pass_round1">初审通过</option>' in page
    assert '<option value="reject_round1">初审不通过</option>' in page


def test_queue_search_by_account(reviewer_client, submitted_pair):
    response = reviewer_client.get(QUEUE_URL, {"q": submitted_pair[1].alliance_account})

    assert [a.pk for a in response.context["cl"].result_list] == [submitted_pair[1].pk]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_queue_forbidden_to_other_roles(client, submitted_pair, role):
    login(client, role)

    assert client.get(QUEUE_URL).status_code == 403


# --- The actions and the decision page -------------------------------------------------------------------


def test_pass_action_leads_to_the_decision_page(reviewer_client, submitted_pair):
    ids = [a.pk for a in submitted_pair]

    response = reviewer_client.post(QUEUE_URL, {"action": "pass_round1", "_selected_action": ids})

    assert response.status_code == 302
    assert response["Location"] == f"{PASS_URL}?ids={'%2C'.join(str(pk) for pk in sorted(ids))}"
    assert Round1Review.objects.count() == 0


def test_decision_page_get_shows_checklist_and_changes_nothing(reviewer_client, campaign, submitted_pair):
    ids = ",".join(str(a.pk) for a in submitted_pair)

    response = reviewer_client.get(PASS_URL, {"ids": ids})

    page = response.content.decode()
    assert response.status_code == 200
    for item in ChecklistItem.objects.filter(campaign=campaign):
        assert item.text in page
    assert submitted_pair[0].company_name in page
    assert Round1Review.objects.count() == 0
    assert {a.status for a in type(submitted_pair[0]).objects.all()} == {S.SUBMITTED}


def test_decision_page_post_passes_each_application(reviewer_client, campaign, submitted_pair):
    items = list(ChecklistItem.objects.filter(campaign=campaign).values_list("pk", flat=True))
    ids = ",".join(str(a.pk) for a in submitted_pair)

    response = reviewer_client.post(PASS_URL, {"ids": ids, "checked_items": items, "reason": ""}, follow=True)

    assert response.redirect_chain == [(QUEUE_URL, 302)]
    for application in submitted_pair:
        application.refresh_from_db()
        assert application.status == S.FILING
        assert sorted(application.round1_review.checked_items.values_list("pk", flat=True)) == sorted(items)
        assert PhoneTask.objects.filter(application=application).count() == 1
    assert messages_of(response) == [
        f"{a.company_name}：初审通过，已生成电话通知任务并通知申请人。" for a in submitted_pair
    ]
    assert Notification.objects.count() == 6


def test_pass_with_an_item_unticked_and_no_written_reason_shows_the_form_again(
    reviewer_client, campaign, submitted_pair
):
    items = list(ChecklistItem.objects.filter(campaign=campaign).values_list("pk", flat=True)[:4])
    ids = ",".join(str(a.pk) for a in submitted_pair)

    response = reviewer_client.post(PASS_URL, {"ids": ids, "checked_items": items, "checklist_waiver": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "checklist_waiver": ["请勾选初审清单的每一项，或写明这些申请不按清单通过的理由。"],
    }
    assert Round1Review.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert {a.status for a in type(submitted_pair[0]).objects.all()} == {S.SUBMITTED}


def test_pass_with_an_item_unticked_and_a_written_reason_stores_and_audits_it(
    reviewer_client, campaign, submitted_pair
):
    items = list(ChecklistItem.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)[:4])
    application = submitted_pair[0]

    reviewer_client.post(PASS_URL, {"ids": str(application.pk), "checked_items": items,
                                    "checklist_waiver": "营业执照已另行核验"})

    application.refresh_from_db()
    assert application.status == S.FILING
    assert application.round1_review.checklist_waiver == "营业执照已另行核验"
    assert AuditEvent.objects.get().details == {
        "reason": "", "checked_items": items, "checklist_waiver": "营业执照已另行核验",
    }
    record = reviewer_client.get(reverse("admin:reviews_round1review_change", args=[application.round1_review.pk]))
    assertContains(record, "不按清单通过的理由")
    assertContains(record, "营业执照已另行核验")


def test_the_decision_page_asks_the_written_reason_only_to_pass(reviewer_client, submitted_pair):
    ids = str(submitted_pair[0].pk)

    passing = reviewer_client.get(PASS_URL, {"ids": ids})
    rejecting = reviewer_client.get(REJECT_URL, {"ids": ids})

    assert list(passing.context["form"].fields) == ["checked_items", "checklist_waiver", "reason"]
    assert list(rejecting.context["form"].fields) == ["checked_items", "reason"]
    assertContains(passing, 'name="checklist_waiver"')


def test_decision_page_reports_an_already_decided_application_and_decides_the_rest(
    reviewer_client, campaign, submitted_pair
):
    decided = SubmittedApplicationFactory(campaign=campaign, status=S.FILING)
    ids = ",".join(str(a.pk) for a in [*submitted_pair, decided])

    response = reviewer_client.post(REJECT_URL, {"ids": ids, "reason": "案例不真实"}, follow=True)

    assert [m for m in messages_of(response)] == [
        f"{submitted_pair[0].company_name}：初审不通过。",
        f"{submitted_pair[1].company_name}：初审不通过。",
        f"{decided.company_name}：未作出决定。初审只处理已提交的申请，该申请当前为“初审通过，待系统备案”。",
    ]
    decided.refresh_from_db()
    assert decided.status == S.FILING
    assert not Round1Review.objects.filter(application=decided).exists()
    assert Round1Review.objects.filter(passed=False, reason="案例不真实").count() == 2


def test_reject_without_reason_shows_the_form_again(reviewer_client, submitted_pair):
    ids = ",".join(str(a.pk) for a in submitted_pair)

    response = reviewer_client.post(REJECT_URL, {"ids": ids, "reason": ""})

    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    assert Round1Review.objects.count() == 0


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_decision_page_forbidden_to_other_roles(client, submitted_pair, role):
    login(client, role)
    ids = ",".join(str(a.pk) for a in submitted_pair)

    get = client.get(PASS_URL, {"ids": ids})
    post = client.post(PASS_URL, {"ids": ids, "reason": "x"})
    action = client.post(QUEUE_URL, {"action": "pass_round1", "_selected_action": [a.pk for a in submitted_pair]})

    assert (get.status_code, post.status_code, action.status_code) == (403, 403, 403)
    assert Round1Review.objects.count() == 0
    assert {a.status for a in type(submitted_pair[0]).objects.all()} == {S.SUBMITTED}


# --- Phone tasks ---------------------------------------------------------------------------------------


def test_phone_tasks_listed_for_staff_with_who_and_number(client, db):
    task = PhoneTaskFactory(contact_name="赵敏", phone="13700001111")
    login(client, roles.ROUND1_REVIEWER)

    page = client.get(reverse("admin:reviews_phonetask_changelist")).content.decode()

    assert "赵敏" in page
    # Round-1 reviewers see the number masked; operations see it in full (tests/security/test_masking.py).
    assert "137****1111" in page
    assert "13700001111" not in page
    assert task.application.company_name in page


def test_operations_record_a_call(client, db):
    task = PhoneTaskFactory()
    operator = login(client, roles.OPERATIONS)
    url = reverse("admin:reviews_phonetask_change", args=[task.pk])

    with time_machine.travel(beijing(2024, 4, 23, 14), tick=False):
        response = client.post(url, {"outcome": CallOutcome.REACHED, "note": "已告知备案步骤"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.outcome, task.note, task.called_by, task.called_at) == (
        CallOutcome.REACHED, "已告知备案步骤", operator, beijing(2024, 4, 23, 14),
    )


def test_each_call_recorded_in_the_admin_is_kept_and_listed_on_the_task(client, db):
    task = PhoneTaskFactory()
    operator = login(client, roles.OPERATIONS)
    url = reverse("admin:reviews_phonetask_change", args=[task.pk])

    with time_machine.travel(beijing(2024, 4, 23, 9, 30), tick=False):
        client.post(url, {"outcome": CallOutcome.NO_ANSWER, "note": "无人接听"})
    with time_machine.travel(beijing(2024, 4, 23, 15, 0, 59), tick=False):
        client.post(url, {"outcome": CallOutcome.REACHED, "note": "已告知备案步骤"})
    page = client.get(url)

    assert list(task.attempts.values_list("called_at", "called_by", "outcome", "note")) == [
        (beijing(2024, 4, 23, 9, 30), operator.pk, CallOutcome.NO_ANSWER, "无人接听"),
        (beijing(2024, 4, 23, 15, 0, 59), operator.pk, CallOutcome.REACHED, "已告知备案步骤"),
    ]
    html = page.content.decode()
    assert html.count('<tr class="call">') == 2
    assert "2024-04-23 09:30:00" in html and "2024-04-23 15:00:59" in html
    assert html.index("无人接听") < html.index("已告知备案步骤")
    assert page.context["adminform"].form.initial["outcome"] == ""
    assert [value for value, _label in page.context["adminform"].form.fields["outcome"].choices] == [
        "", CallOutcome.REACHED, CallOutcome.NO_ANSWER, CallOutcome.WRONG_NUMBER,
    ]


def test_a_call_without_an_outcome_is_refused_on_the_form(client, db):
    task = PhoneTaskFactory()
    login(client, roles.OPERATIONS)
    url = reverse("admin:reviews_phonetask_change", args=[task.pk])

    empty = client.post(url, {"outcome": "", "note": "打了"})
    pending = client.post(url, {"outcome": CallOutcome.PENDING, "note": "打了"})

    assert (empty.status_code, pending.status_code) == (200, 200)
    assert "outcome" in empty.context["adminform"].form.errors
    assert "outcome" in pending.context["adminform"].form.errors
    assert task.attempts.count() == 0


def test_the_phone_task_list_counts_the_calls_waiting_per_campaign(client, campaign):
    for outcome in [CallOutcome.PENDING, CallOutcome.PENDING, CallOutcome.NO_ANSWER, CallOutcome.REACHED]:
        PhoneTaskFactory(application__campaign=campaign, outcome=outcome)
    login(client, roles.OPERATIONS)

    page = client.get(reverse("admin:reviews_phonetask_changelist"))
    to_call = client.get(reverse("admin:reviews_phonetask_changelist"), {"to_call": "yes"})

    assertContains(page, f"{campaign.name}：待致电 3 个（尚未致电 2 个，未接通需再次致电 1 个）")
    assert sorted(t.outcome for t in to_call.context["cl"].result_list) == [
        CallOutcome.NO_ANSWER, CallOutcome.PENDING, CallOutcome.PENDING,
    ]


def test_the_phone_task_list_says_when_nobody_is_waiting_for_a_call(client, db):
    PhoneTaskFactory(outcome=CallOutcome.REACHED)
    login(client, roles.OPERATIONS)

    page = client.get(reverse("admin:reviews_phonetask_changelist"))

    assertContains(page, "没有待致电的电话通知。")


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.CAMPAIGN_ADMIN])
def test_read_only_roles_see_the_calls_but_no_call_form(client, db, role):
    task = PhoneTaskFactory()
    CallAttemptFactory(task=task, note="已告知备案步骤")
    login(client, role)

    page = client.get(reverse("admin:reviews_phonetask_change", args=[task.pk]))

    assertContains(page, "已告知备案步骤")
    assertNotContains(page, 'name="outcome"')
    assertNotContains(page, 'name="note"')


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.CAMPAIGN_ADMIN])
def test_other_roles_see_phone_tasks_read_only(client, db, role):
    task = PhoneTaskFactory()
    login(client, role)
    url = reverse("admin:reviews_phonetask_change", args=[task.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"outcome": CallOutcome.REACHED, "note": "x"}).status_code == 403
    task.refresh_from_db()
    assert (task.outcome, task.called_by) == (CallOutcome.PENDING, None)
    assert task.attempts.count() == 0


@pytest.mark.parametrize("role", [roles.RISK_OFFICER, roles.FINAL_COMMITTEE, None])
def test_phone_tasks_hidden_from_roles_without_it(client, db, role):
    PhoneTaskFactory()
    login(client, role)

    assert client.get(reverse("admin:reviews_phonetask_changelist")).status_code == 403


# --- The checklist -------------------------------------------------------------------------------------


def test_campaign_admin_adds_a_checklist_item(client, campaign):
    login(client, roles.CAMPAIGN_ADMIN)

    response = client.post(
        reverse("admin:reviews_checklistitem_add"), {"campaign": campaign.pk, "text": "钉钉号已验证", "position": 9}
    )

    assert response.status_code == 302
    assert ChecklistItem.objects.filter(campaign=campaign, text="钉钉号已验证", position=9).count() == 1


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.RISK_OFFICER, roles.OPERATIONS])
def test_other_roles_cannot_add_checklist_items(client, campaign, role):
    login(client, role)
    before = ChecklistItem.objects.count()

    response = client.post(
        reverse("admin:reviews_checklistitem_add"), {"campaign": campaign.pk, "text": "钉钉号已验证", "position": 9}
    )

    assert response.status_code == 403
    assert ChecklistItem.objects.count() == before
