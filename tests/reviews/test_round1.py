"""Round 1 (初审) domain: decide_round1, the phone task and the pass notification, record_call."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from applications import services
from applications.enums import ApplicationStatus
from applications.models import StatusChange
from applications.services import TransitionNotAllowed
from notifications.models import Notification
from recruitment.timeutils import beijing
from reviews import roles
from reviews.enums import CallOutcome
from reviews.models import CallAttempt, ChecklistItem, PhoneTask, Round1Review
from reviews.round1 import (
    CallRefused,
    CallsWaiting,
    ChecklistIncomplete,
    ReasonRequired,
    announce_round1_pass,
    calls_waiting,
    calls_waiting_by_campaign,
    decide_round1,
    record_call,
)
from tests.factories import AttachmentFactory, CampaignFactory, CooperationCaseFactory, UserFactory
from tests.reviews.factories import PhoneTaskFactory, SubmittedApplicationFactory, staff_with_role

S = ApplicationStatus


@pytest.fixture
def reviewer(db):
    return staff_with_role(roles.ROUND1_REVIEWER)


@pytest.fixture
def application(campaign):
    # Notices go to the account's own e-mail and mobile; the questionnaire's number is for the phone task.
    return SubmittedApplicationFactory(campaign=campaign, contact_name="李娜", mobile="13912345678",
                                       applicant=UserFactory(mobile="13700000001"))


def full_checklist(application):
    return list(ChecklistItem.objects.filter(campaign=application.campaign_id))


def nothing_written(application, status):
    application.refresh_from_db()
    return (
        application.status == status
        and not Round1Review.objects.filter(application=application).exists()
        and not PhoneTask.objects.filter(application=application).exists()
        and not StatusChange.objects.filter(application=application).exists()
        and not Notification.objects.filter(application=application).exists()
    )


def test_round1_pass_records_review_moves_to_filing_and_opens_phone_task(application, reviewer, campaign):
    items = list(ChecklistItem.objects.filter(campaign=campaign))
    assert len(items) == 5  # the 2024 checklist, every item ticked

    review = decide_round1(application, actor=reviewer, passed=True, reason="", checked_items=items)

    application.refresh_from_db()
    assert application.status == S.FILING
    assert (review.passed, review.reviewer, review.reason, review.checklist_waiver) == (True, reviewer, "", "")
    assert sorted(review.checked_items.values_list("pk", flat=True)) == sorted(i.pk for i in items)
    change = application.status_changes.get()
    assert (change.from_status, change.to_status, change.actor) == (S.SUBMITTED, S.FILING, reviewer)
    task = PhoneTask.objects.get(application=application)
    assert (task.contact_name, task.phone, task.outcome, task.called_by) == (
        "李娜", "13912345678", CallOutcome.PENDING, None,
    )


def test_round1_pass_notifies_the_applicant_once_per_channel(application, reviewer):
    decide_round1(application, actor=reviewer, passed=True, checked_items=full_checklist(application))

    notes = Notification.objects.filter(application=application).order_by("channel")
    assert [(n.channel, n.event, n.recipient) for n in notes] == [
        ("email", f"round1_passed:{application.pk}", application.applicant),
        ("inapp", f"round1_passed:{application.pk}", application.applicant),
        ("sms", f"round1_passed:{application.pk}", application.applicant),
    ]
    inapp = notes.get(channel="inapp")
    assert inapp.subject == f"{application.campaign.name}：初审已通过"
    assert "请登录后在“申请进度”页面完成系统备案" in inapp.body
    assert "补充材料" in inapp.body


def test_round1_pass_announcement_running_twice_notifies_once(application, reviewer):
    decide_round1(application, actor=reviewer, passed=True, checked_items=full_checklist(application))
    application.refresh_from_db()

    announce_round1_pass(application)

    assert Notification.objects.filter(application=application).count() == 3
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["email", "inapp", "sms"]
    assert PhoneTask.objects.filter(application=application).count() == 1


def test_round1_reject_records_reason_and_tells_nobody(application, reviewer):
    review = decide_round1(application, actor=reviewer, passed=False, reason="新商家资源描述空泛")

    application.refresh_from_db()
    assert application.status == S.ROUND1_REJECTED
    assert (review.passed, review.reason) == (False, "新商家资源描述空泛")
    assert application.status_changes.get().reason == "新商家资源描述空泛"
    assert Notification.objects.count() == 0
    assert PhoneTask.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_round1_reject_without_reason_refused(application, reviewer, reason):
    with pytest.raises(ReasonRequired):
        decide_round1(application, actor=reviewer, passed=False, reason=reason)

    assert nothing_written(application, S.SUBMITTED)


def test_round1_ignores_checklist_items_of_another_campaign(application, reviewer):
    other = CampaignFactory(slug="nx3", is_current=False)
    foreign = ChecklistItem.objects.create(campaign=other, text="别的活动的检查项")

    review = decide_round1(application, actor=reviewer, passed=True, checked_items=[foreign],
                           checklist_waiver="清单由电话核实代替")

    assert list(review.checked_items.all()) == []
    assert review.checklist_waiver == "清单由电话核实代替"


@pytest.mark.parametrize(
    ("status", "passed", "allowed_to"),
    [
        (S.SUBMITTED, True, S.FILING),
        (S.SUBMITTED, False, S.ROUND1_REJECTED),
        *[(s, p, None) for s in S if s != S.SUBMITTED for p in (True, False)],
    ],
)
def test_round1_state_table(campaign, reviewer, status, passed, allowed_to):
    application = SubmittedApplicationFactory(campaign=campaign, status=status)
    checklist = full_checklist(application)

    if allowed_to is None:
        with pytest.raises(TransitionNotAllowed):
            decide_round1(application, actor=reviewer, passed=passed, reason="理由", checked_items=checklist)
        assert nothing_written(application, status)
    else:
        decide_round1(application, actor=reviewer, passed=passed, reason="理由", checked_items=checklist)
        application.refresh_from_db()
        assert application.status == allowed_to


def test_round1_second_decision_refused_and_writes_nothing(application, reviewer):
    decide_round1(application, actor=reviewer, passed=True, checked_items=full_checklist(application))
    other_reviewer = staff_with_role(roles.ROUND1_REVIEWER)

    with pytest.raises(TransitionNotAllowed):
        decide_round1(application, actor=other_reviewer, passed=False, reason="改判")

    application.refresh_from_db()
    assert application.status == S.FILING
    assert Round1Review.objects.get(application=application).reviewer == reviewer
    assert application.status_changes.count() == 1
    assert Notification.objects.filter(application=application).count() == 3


@pytest.mark.parametrize(
    "role", [roles.RISK_OFFICER, roles.FINAL_COMMITTEE, roles.OPERATIONS, roles.CAMPAIGN_ADMIN, None]
)
def test_round1_refused_to_other_roles(application, role):
    actor = staff_with_role(role) if role else UserFactory(is_staff=True)

    with pytest.raises(PermissionDenied):
        decide_round1(application, actor=actor, passed=True)

    assert nothing_written(application, S.SUBMITTED)


def test_round1_refused_to_the_applicant(application):
    with pytest.raises(PermissionDenied):
        decide_round1(application, actor=application.applicant, passed=True)

    assert nothing_written(application, S.SUBMITTED)


# --- The checklist, or a written reason to pass without it ------------------------------------------------


@pytest.mark.parametrize(("ticked", "waiver"), [(0, ""), (4, ""), (4, "   "), (0, "\n")])
def test_round1_pass_without_the_full_checklist_and_no_waiver_is_refused(application, reviewer, ticked, waiver):
    items = full_checklist(application)[:ticked]

    with pytest.raises(ChecklistIncomplete) as error:
        decide_round1(application, actor=reviewer, passed=True, reason="资料齐全", checked_items=items,
                      checklist_waiver=waiver)

    assert str(error.value) == "请勾选活动初审清单的每一项，或写明不按清单通过的理由。"
    assert nothing_written(application, S.SUBMITTED)


def test_round1_pass_without_the_full_checklist_stores_the_written_reason(application, reviewer):
    items = full_checklist(application)[:4]

    review = decide_round1(application, actor=reviewer, passed=True, checked_items=items,
                           checklist_waiver="  钉钉号已电话核实，无需再勾选  ")

    application.refresh_from_db()
    assert application.status == S.FILING
    assert review.checklist_waiver == "钉钉号已电话核实，无需再勾选"
    assert sorted(review.checked_items.values_list("pk", flat=True)) == sorted(i.pk for i in items)
    assert Round1Review.objects.get(application=application).checklist_waiver == "钉钉号已电话核实，无需再勾选"


def test_round1_pass_with_the_full_checklist_stores_no_waiver(application, reviewer):
    review = decide_round1(application, actor=reviewer, passed=True, checked_items=full_checklist(application),
                           checklist_waiver="多余的理由")

    assert review.checklist_waiver == ""


def test_round1_pass_in_a_campaign_without_a_checklist_needs_the_written_reason(reviewer):
    bare = CampaignFactory(slug="no-checklist", is_current=False)
    application = SubmittedApplicationFactory(campaign=bare)

    with pytest.raises(ChecklistIncomplete):
        decide_round1(application, actor=reviewer, passed=True)
    assert nothing_written(application, S.SUBMITTED)

    review = decide_round1(application, actor=reviewer, passed=True, checklist_waiver="本活动未设初审清单")

    application.refresh_from_db()
    assert (application.status, review.checklist_waiver) == (S.FILING, "本活动未设初审清单")


def test_round1_rejection_needs_no_checklist_and_keeps_no_waiver(application, reviewer):
    review = decide_round1(application, actor=reviewer, passed=False, reason="材料不足", checklist_waiver="无关")

    application.refresh_from_db()
    assert (application.status, review.checklist_waiver) == (S.ROUND1_REJECTED, "")


# --- Phone calls -------------------------------------------------------------------------------------


def test_record_call_stamps_who_and_when(db):
    task = PhoneTaskFactory()
    operator = staff_with_role(roles.OPERATIONS)

    with time_machine.travel(beijing(2024, 4, 23, 15, 30), tick=False):
        record_call(task, actor=operator, outcome=CallOutcome.REACHED, note="已告知备案步骤")

    task.refresh_from_db()
    assert (task.outcome, task.note, task.called_by, task.called_at) == (
        CallOutcome.REACHED, "已告知备案步骤", operator, beijing(2024, 4, 23, 15, 30),
    )
    assert list(task.attempts.values_list("called_at", "called_by", "outcome", "note")) == [
        (beijing(2024, 4, 23, 15, 30), operator.pk, CallOutcome.REACHED, "已告知备案步骤"),
    ]


def test_record_call_keeps_every_attempt_and_the_task_shows_the_latest(db):
    task = PhoneTaskFactory()
    first, second = staff_with_role(roles.OPERATIONS), staff_with_role(roles.OPERATIONS)

    with time_machine.travel(beijing(2024, 4, 23, 9, 0, 1), tick=False):
        record_call(task, actor=first, outcome=CallOutcome.NO_ANSWER, note="无人接听")
    with time_machine.travel(beijing(2024, 4, 23, 16, 45, 59), tick=False):
        record_call(task, actor=second, outcome=CallOutcome.REACHED, note="已告知备案步骤")

    assert list(CallAttempt.objects.filter(task=task).values_list("called_at", "called_by", "outcome", "note")) == [
        (beijing(2024, 4, 23, 9, 0, 1), first.pk, CallOutcome.NO_ANSWER, "无人接听"),
        (beijing(2024, 4, 23, 16, 45, 59), second.pk, CallOutcome.REACHED, "已告知备案步骤"),
    ]
    task.refresh_from_db()
    assert (task.outcome, task.note, task.called_by, task.called_at) == (
        CallOutcome.REACHED, "已告知备案步骤", second, beijing(2024, 4, 23, 16, 45, 59),
    )


@pytest.mark.parametrize("outcome", [CallOutcome.PENDING, "", "called"])
def test_record_call_without_a_real_outcome_is_refused_and_writes_nothing(db, outcome):
    task = PhoneTaskFactory()

    with pytest.raises(CallRefused) as error:
        record_call(task, actor=staff_with_role(roles.OPERATIONS), outcome=outcome, note="备注")

    assert str(error.value) == "请选择这次通话的结果。"
    task.refresh_from_db()
    assert (task.outcome, task.note, task.called_by, task.called_at) == (CallOutcome.PENDING, "", None, None)
    assert CallAttempt.objects.count() == 0


def test_calls_waiting_counts_tasks_never_called_and_unanswered_per_campaign(campaign):
    other = CampaignFactory(slug="2025-nx3", name="纳新 3.0", is_current=False,
                            application_opens_at=beijing(2025, 4, 1))
    for outcome in [CallOutcome.PENDING, CallOutcome.PENDING, CallOutcome.NO_ANSWER, CallOutcome.REACHED,
                    CallOutcome.WRONG_NUMBER]:
        PhoneTaskFactory(application__campaign=campaign, outcome=outcome)
    PhoneTaskFactory(application__campaign=other, outcome=CallOutcome.NO_ANSWER)

    mine, theirs, every = calls_waiting(campaign), calls_waiting(other), calls_waiting()

    assert (mine.not_called, mine.call_again, mine.total) == (2, 1, 3)
    assert (theirs.not_called, theirs.call_again, theirs.total) == (0, 1, 1)
    assert (every.not_called, every.call_again, every.total) == (2, 2, 4)
    assert calls_waiting_by_campaign() == [
        (other.pk, "纳新 3.0", CallsWaiting(0, 1)),
        (campaign.pk, campaign.name, CallsWaiting(2, 1)),
    ]


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.RISK_OFFICER, roles.CAMPAIGN_ADMIN])
def test_record_call_refused_to_other_roles(db, role):
    task = PhoneTaskFactory()

    with pytest.raises(PermissionDenied):
        record_call(task, actor=staff_with_role(role), outcome=CallOutcome.REACHED)

    task.refresh_from_db()
    assert (task.outcome, task.called_by, task.called_at) == (CallOutcome.PENDING, None, None)
    assert CallAttempt.objects.count() == 0


# --- A resubmission goes through round 1 again -------------------------------------------------------------


def test_a_resubmitted_application_is_decided_again_and_the_earlier_decision_stays_in_the_trail(
    campaign, reviewer
):
    application = SubmittedApplicationFactory(campaign=campaign, applicant=UserFactory(mobile="13700000002"))
    CooperationCaseFactory(application=application)
    AttachmentFactory(application=application)
    with time_machine.travel(beijing(2024, 4, 22, 10), tick=False):
        decide_round1(application, actor=reviewer, passed=False, reason="材料不足")
    with time_machine.travel(beijing(2024, 4, 23, 10), tick=False):
        services.withdraw_application(application, actor=application.applicant)
        services.reopen_application(application, actor=application.applicant)
        application.declaration_accepted = True  # given again before the next submission
        application.save(update_fields=["declaration_accepted"])
        services.submit_application(application, actor=application.applicant)
    other_reviewer = staff_with_role(roles.ROUND1_REVIEWER)

    with time_machine.travel(beijing(2024, 4, 24, 10), tick=False):
        review = decide_round1(application, actor=other_reviewer, passed=True, reason="补充后资料齐全",
                               checked_items=full_checklist(application))

    application.refresh_from_db()
    assert application.status == S.FILING
    assert (review.reviewer, review.passed, review.reason, review.decided_at) == (
        other_reviewer, True, "补充后资料齐全", beijing(2024, 4, 24, 10),
    )
    assert list(Round1Review.objects.filter(application=application)) == [review]
    assert list(application.status_changes.order_by("pk").values_list("to_status", "actor", "reason")) == [
        (S.ROUND1_REJECTED, reviewer.pk, "材料不足"),
        (S.WITHDRAWN, application.applicant_id, ""),
        (S.DRAFT, application.applicant_id, ""),
        (S.SUBMITTED, application.applicant_id, ""),
        (S.FILING, other_reviewer.pk, "补充后资料齐全"),
    ]
    assert PhoneTask.objects.filter(application=application).count() == 1
