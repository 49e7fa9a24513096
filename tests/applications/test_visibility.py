"""The one applicant-facing status (``applications.visibility``), state by state from the state table."""

import pytest
import time_machine

from applications import services
from applications.enums import APPLICANT_STATUS, OUTCOME_STATES, ApplicantStatus, ApplicationStatus
from applications.visibility import applicant_status, status_timeline
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, StatusChangeFactory, UserFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus
A = ApplicantStatus
BEFORE_RESULTS = beijing(2024, 5, 5, 23, 59, 59)
RESULTS_AT = beijing(2024, 5, 6)


def test_every_state_has_an_applicant_word_before_and_after_publication():
    assert set(APPLICANT_STATUS) == set(S)
    assert {after for _before, after in APPLICANT_STATUS.values()} <= set(A)


@pytest.mark.parametrize("state", list(S))
def test_before_publication_a_state_reads_as_the_table_says(campaign, state):
    Campaign.objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 5, 18))
    campaign.refresh_from_db()
    application = ApplicationFactory(campaign=campaign, status=state)

    assert applicant_status(application, BEFORE_RESULTS) == APPLICANT_STATUS[state][0]


@pytest.mark.parametrize("state", list(S))
def test_once_published_a_state_reads_as_the_table_says(campaign, state):
    Campaign.objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 5, 18))
    campaign.refresh_from_db()
    application = ApplicationFactory(campaign=campaign, status=state)

    assert applicant_status(application, RESULTS_AT) == APPLICANT_STATUS[state][1]


def test_every_outcome_reads_selected_or_not_selected_once_published():
    assert {APPLICANT_STATUS[state][1] for state in OUTCOME_STATES} == {A.SELECTED, A.NOT_SELECTED}


@pytest.mark.parametrize(
    ("trail", "shown"),
    [
        ([(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.ROUND1_REJECTED)], A.SUBMITTED),
        ([(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.FILING), (S.FILING, S.ROUND1_REJECTED)], A.FILING),
        ([(S.FILING, S.RISK_REVIEW), (S.RISK_REVIEW, S.RISK_REJECTED)], A.FILED),
        ([(S.RISK_REVIEW, S.FINAL_REVIEW), (S.FINAL_REVIEW, S.NOT_SELECTED)], A.FILED),
        # Closed out for not filing (public), then not selected at a publication whose date has not come.
        ([(S.SUBMITTED, S.FILING), (S.FILING, S.FILING_LAPSED), (S.FILING_LAPSED, S.NOT_SELECTED)], A.FILING_CLOSED),
    ],
)
def test_before_publication_an_outcome_reads_as_the_phase_it_was_decided_in(campaign, trail, shown):
    application = ApplicationFactory(campaign=campaign, status=trail[-1][1])
    for from_status, to_status in trail:
        StatusChangeFactory(application=application, from_status=from_status, to_status=to_status)

    assert applicant_status(application, BEFORE_RESULTS) == shown


def test_the_timeline_shows_the_applicants_steps_and_never_a_decision(campaign):
    applicant = UserFactory()
    reviewer = UserFactory(is_staff=True)
    application = ApplicationFactory(campaign=campaign, applicant=applicant, status=S.FINAL_REVIEW)
    for at, from_status, to_status, actor, reason in [
        (beijing(2024, 4, 20, 10), S.DRAFT, S.SUBMITTED, applicant, ""),
        (beijing(2024, 4, 22, 10), S.SUBMITTED, S.FILING, reviewer, "资料齐全"),
        (beijing(2024, 4, 23, 10), S.FILING, S.RISK_REVIEW, applicant, "系统备案已完成"),
        (beijing(2024, 4, 23, 10, 1), S.RISK_REVIEW, S.FINAL_REVIEW, None, ""),
    ]:
        with time_machine.travel(at, tick=False):
            StatusChangeFactory(application=application, from_status=from_status, to_status=to_status, actor=actor,
                                reason=reason)

    entries = status_timeline(application, BEFORE_RESULTS)

    assert [(str(e["from_label"]), str(e["to_label"]), e["by"], e["reason"]) for e in entries] == [
        ("草稿", "已提交", "you", ""),
        ("已提交", "初审已通过，待完成系统备案", "staff", ""),
        ("初审已通过，待完成系统备案", "已完成系统备案，审核中", "you", "系统备案已完成"),
    ]


def test_a_withdrawal_after_a_hidden_rejection_reads_as_a_withdrawal_of_a_submission(campaign):
    applicant = UserFactory()
    application = ApplicationFactory(campaign=campaign, applicant=applicant, status=S.SUBMITTED,
                                     submitted_at=beijing(2024, 4, 20, 10))
    with time_machine.travel(beijing(2024, 4, 22, 10), tick=False):
        services.transition(application, S.ROUND1_REJECTED, actor=UserFactory(is_staff=True), reason="材料不足")
    with time_machine.travel(beijing(2024, 4, 23, 10), tick=False):
        services.withdraw_application(application, actor=applicant, reason="想再补充")

    entries = status_timeline(application, BEFORE_RESULTS)

    assert [(str(e["from_label"]), str(e["to_label"]), e["reason"]) for e in entries] == [
        ("已提交", "已撤回", "想再补充"),
    ]
    assert applicant_status(application, BEFORE_RESULTS) == A.WITHDRAWN
