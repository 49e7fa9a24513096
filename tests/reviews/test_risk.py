"""Round 2 risk assessment (风险评估): each rule at its boundary, the automatic advance, idempotency, re-runs."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from applications.enums import ApplicationStatus, EntityType, PreviousPermissionOutcome
from applications.services import TransitionNotAllowed
from probation.enums import LeaderStatus
from recruitment.timeutils import beijing
from reviews import roles
from reviews.enums import RiskRuleCode, SanctionKind
from reviews.models import RiskAssessment, RiskRule
from reviews.risk import add_months, anniversary, assess_risk, rerun_risk
from reviews.tasks import run_risk_assessment
from tests.factories import CampaignFactory, credit_code
from tests.probation.factories import LeaderFactory, ViolationFactory
from tests.reviews.factories import SanctionRecordFactory, SubmittedApplicationFactory, staff_with_role

S = ApplicationStatus
R = RiskRuleCode
ALL_RULES = [
    "company_entity", "min_incorporation_years", "max_associated_accounts", "no_recent_clearing",
    "no_poor_history", "no_violation_record", "not_barred_this_round",
]
ASSESSED = beijing(2024, 4, 25, 12)


@pytest.fixture
def in_risk_review(campaign):
    return SubmittedApplicationFactory(
        campaign=campaign, status=S.RISK_REVIEW, alliance_account="mm_888", credit_code=credit_code(88),
        incorporated_on=date(2019, 3, 1), associated_accounts=["mm_a"],
    )


def assess(application, now=ASSESSED):
    assessment = assess_risk(application, now=now)
    application.refresh_from_db()
    return assessment


def result_of(assessment, code):
    return next(r for r in assessment.results if r["code"] == code)


def failed_codes(assessment):
    return [r["code"] for r in assessment.failed_rules]


# --- The automatic advance ------------------------------------------------------------------------


def test_all_rules_pass_moves_to_final_review(in_risk_review):
    assessment = assess(in_risk_review)

    assert in_risk_review.status == S.FINAL_REVIEW
    assert assessment.passed is True
    assert [r["code"] for r in assessment.results] == ALL_RULES
    assert all(r["passed"] for r in assessment.results)
    change = in_risk_review.status_changes.get()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        S.RISK_REVIEW, S.FINAL_REVIEW, None, "",
    )


def test_failed_rule_rejects_with_the_rule_codes_as_reason(in_risk_review):
    in_risk_review.entity_type = EntityType.INDIVIDUAL
    in_risk_review.associated_accounts = ["a", "b", "c", "d"]
    in_risk_review.save()

    assessment = assess(in_risk_review)

    assert in_risk_review.status == S.RISK_REJECTED
    assert assessment.passed is False
    assert failed_codes(assessment) == ["company_entity", "max_associated_accounts"]
    assert in_risk_review.status_changes.get().reason == "company_entity, max_associated_accounts"


def test_company_entity_rule(in_risk_review):
    in_risk_review.entity_type = EntityType.INDIVIDUAL_BUSINESS
    in_risk_review.save()

    assessment = assess(in_risk_review)

    assert result_of(assessment, "company_entity") == {
        "code": "company_entity", "parameter": None, "passed": False, "data": {"entity_type": "individual_business"},
    }
    assert in_risk_review.status == S.RISK_REJECTED


@pytest.mark.parametrize(
    ("now", "passed"),
    [
        (beijing(2024, 4, 24, 23, 59, 59), False),  # the day before the first anniversary (Beijing date)
        (beijing(2024, 4, 25, 0, 0, 0), True),  # the anniversary itself: one full year
    ],
)
def test_min_incorporation_years_boundary_in_beijing_dates(in_risk_review, now, passed):
    in_risk_review.incorporated_on = date(2023, 4, 25)
    in_risk_review.save()

    with time_machine.travel(now, tick=False):
        assessment = assess_risk(in_risk_review)

    result = result_of(assessment, "min_incorporation_years")
    assert result["passed"] is passed
    assert result["data"] == {
        "incorporated_on": "2023-04-25", "years": 1, "required_by": "2024-04-25", "assessed_on": now.date().isoformat(),
    }
    in_risk_review.refresh_from_db()
    assert in_risk_review.status == (S.FINAL_REVIEW if passed else S.RISK_REJECTED)


def test_min_incorporation_years_uses_the_rule_parameter(in_risk_review, campaign):
    RiskRule.objects.filter(campaign=campaign, code=R.MIN_INCORPORATION_YEARS).update(parameter=6)

    assessment = assess(in_risk_review)  # incorporated 2019-03-01: five years

    assert result_of(assessment, "min_incorporation_years")["passed"] is False
    assert result_of(assessment, "min_incorporation_years")["data"]["required_by"] == "2025-03-01"


@pytest.mark.parametrize(("accounts", "passed"), [(["a", "b", "c"], True), (["a", "b", "c", "d"], False)])
def test_max_associated_accounts_boundary(in_risk_review, accounts, passed):
    in_risk_review.associated_accounts = accounts
    in_risk_review.save()

    assessment = assess(in_risk_review)

    assert result_of(assessment, "max_associated_accounts") == {
        "code": "max_associated_accounts", "parameter": 3, "passed": passed,
        "data": {"associated_accounts": accounts, "limit": 3},
    }


@pytest.mark.parametrize(
    ("occurred_on", "passed"),
    [
        (date(2023, 10, 26), False),  # less than six months before 2024-04-25
        (date(2023, 10, 25), True),  # exactly six months: no longer recent
    ],
)
@pytest.mark.parametrize("kind", [SanctionKind.CLOSED, SanctionKind.CLEARED])
def test_no_recent_clearing_boundary(in_risk_review, occurred_on, passed, kind):
    SanctionRecordFactory(alliance_account="mm_888", kind=kind, occurred_on=occurred_on)

    assessment = assess(in_risk_review)

    result = result_of(assessment, "no_recent_clearing")
    assert result["passed"] is passed
    assert result["data"]["since"] == "2023-10-25"
    assert result["data"]["records"] == ([] if passed else [
        {"kind": kind.value, "account": "mm_888", "credit_code": "", "date": "2023-10-26"},
    ])


def test_no_recent_clearing_matches_the_company_by_credit_code(in_risk_review):
    SanctionRecordFactory(alliance_account="mm_other", credit_code=credit_code(88), occurred_on=date(2024, 1, 5))

    assessment = assess(in_risk_review)

    assert failed_codes(assessment) == ["no_recent_clearing"]


def test_no_recent_clearing_ignores_other_kinds_and_other_accounts(in_risk_review):
    SanctionRecordFactory(alliance_account="mm_someone_else", occurred_on=date(2024, 1, 5))
    SanctionRecordFactory(alliance_account="", credit_code=credit_code(99), occurred_on=date(2024, 1, 5))

    assessment = assess(in_risk_review)

    assert result_of(assessment, "no_recent_clearing")["passed"] is True


def test_no_recent_clearing_counts_a_leader_closed_in_probation(in_risk_review):
    earlier = CampaignFactory(slug="2023-nx1", is_current=False)
    LeaderFactory(
        campaign=earlier, leader_account="mm_888", status=LeaderStatus.CLOSED, closed_at=beijing(2023, 11, 1),
    )

    assessment = assess(in_risk_review)

    result = result_of(assessment, "no_recent_clearing")
    assert result["passed"] is False
    assert result["data"]["closed_leaders"] == [{"account": "mm_888", "campaign": earlier.pk, "date": "2023-11-01"}]


@pytest.mark.parametrize(("closed_on", "passed"), [(date(2023, 10, 26), False), (date(2023, 10, 25), True)])
def test_no_recent_clearing_counts_the_applicants_own_declaration(in_risk_review, closed_on, passed):
    in_risk_review.previous_permission = PreviousPermissionOutcome.CLEARED
    in_risk_review.previous_closed_on = closed_on
    in_risk_review.save()

    assessment = assess(in_risk_review)

    assert result_of(assessment, "no_recent_clearing")["passed"] is passed


def test_no_poor_history_rule(in_risk_review):
    SanctionRecordFactory(
        alliance_account="", credit_code=credit_code(88), kind=SanctionKind.POOR_HISTORY, occurred_on=date(2021, 1, 1)
    )

    assessment = assess(in_risk_review)

    assert failed_codes(assessment) == ["no_poor_history"]
    assert result_of(assessment, "no_poor_history")["data"] == {
        "records": [{"kind": "poor_history", "account": "", "credit_code": credit_code(88), "date": "2021-01-01"}],
    }


def test_no_violation_record_from_the_sanction_list(in_risk_review):
    SanctionRecordFactory(alliance_account="mm_888", kind=SanctionKind.VIOLATION, occurred_on=date(2020, 5, 1))

    assessment = assess(in_risk_review)

    assert failed_codes(assessment) == ["no_violation_record"]


def test_no_violation_record_from_probation_of_the_same_company(in_risk_review):
    earlier = CampaignFactory(slug="2023-nx1", is_current=False)
    leader = LeaderFactory(campaign=earlier, leader_account="mm_sister", credit_code=credit_code(88))
    ViolationFactory(leader=leader, recorded_at=beijing(2023, 7, 1, 10))

    assessment = assess(in_risk_review)

    assert failed_codes(assessment) == ["no_violation_record"]
    assert result_of(assessment, "no_violation_record")["data"]["probation_violations"] == [
        {"account": "mm_sister", "kind": "fake_orders", "date": "2023-07-01"},
    ]


@pytest.mark.parametrize(("status", "passed"), [(LeaderStatus.CLOSED, False), (LeaderStatus.PROBATION, True)])
def test_not_barred_this_round_by_a_closed_leader_of_this_campaign(in_risk_review, campaign, status, passed):
    LeaderFactory(campaign=campaign, leader_account="mm_888", status=status,
                  closed_at=beijing(2023, 1, 1) if status == LeaderStatus.CLOSED else None)

    assessment = assess(in_risk_review)

    assert result_of(assessment, "not_barred_this_round")["passed"] is passed


def test_not_barred_this_round_by_a_sanction_of_this_campaign(in_risk_review, campaign):
    SanctionRecordFactory(alliance_account="mm_888", kind=SanctionKind.VIOLATION, occurred_on=date(2024, 4, 1),
                          campaign=campaign)

    assessment = assess(in_risk_review)

    assert failed_codes(assessment) == ["no_violation_record", "not_barred_this_round"]


def test_disabled_rule_is_skipped(in_risk_review, campaign):
    RiskRule.objects.filter(campaign=campaign, code=R.COMPANY_ENTITY).update(enabled=False)
    in_risk_review.entity_type = EntityType.INDIVIDUAL
    in_risk_review.save()

    assessment = assess(in_risk_review)

    assert "company_entity" not in [r["code"] for r in assessment.results]
    assert in_risk_review.status == S.FINAL_REVIEW


# --- Idempotency and state ---------------------------------------------------------------------------


def test_risk_task_delivered_twice_assesses_once(in_risk_review):
    first = run_risk_assessment.delay(application_id=in_risk_review.pk).get()
    second = run_risk_assessment.delay(application_id=in_risk_review.pk).get()

    assert first == RiskAssessment.objects.get(application=in_risk_review).pk
    assert second is None
    in_risk_review.refresh_from_db()
    assert in_risk_review.status == S.FINAL_REVIEW
    assert in_risk_review.status_changes.count() == 1


def test_risk_task_for_a_missing_application_does_nothing(db):
    assert run_risk_assessment.delay(application_id=999999).get() is None
    assert RiskAssessment.objects.count() == 0


@pytest.mark.parametrize("status", [s for s in S if s != S.RISK_REVIEW])
def test_risk_assessment_only_in_risk_review(campaign, status):
    application = SubmittedApplicationFactory(campaign=campaign, status=status)

    assert assess_risk(application, now=ASSESSED) is None

    application.refresh_from_db()
    assert application.status == status
    assert RiskAssessment.objects.count() == 0
    assert application.status_changes.count() == 0


def test_rerun_by_a_risk_officer_assesses_a_stuck_application(in_risk_review):
    officer = staff_with_role(roles.RISK_OFFICER)

    assessment = rerun_risk(in_risk_review, actor=officer, now=ASSESSED)

    in_risk_review.refresh_from_db()
    assert assessment.passed is True
    assert in_risk_review.status == S.FINAL_REVIEW
    assert in_risk_review.status_changes.get().actor == officer


def test_rerun_refused_after_the_assessment(in_risk_review):
    officer = staff_with_role(roles.RISK_OFFICER)
    assess(in_risk_review)

    with pytest.raises(TransitionNotAllowed):
        rerun_risk(in_risk_review, actor=officer)

    assert RiskAssessment.objects.count() == 1


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.FINAL_COMMITTEE, roles.OPERATIONS, roles.CAMPAIGN_ADMIN])
def test_rerun_refused_to_other_roles(in_risk_review, role):
    with pytest.raises(PermissionDenied):
        rerun_risk(in_risk_review, actor=staff_with_role(role))

    in_risk_review.refresh_from_db()
    assert in_risk_review.status == S.RISK_REVIEW
    assert RiskAssessment.objects.count() == 0


# --- Calendar helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 4, 25), -6, date(2023, 10, 25)),
        (date(2024, 8, 31), -6, date(2024, 2, 29)),
        (date(2023, 8, 31), -6, date(2023, 2, 28)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_anniversary_of_29_february():
    assert anniversary(date(2020, 2, 29), 1) == date(2021, 3, 1)
    assert anniversary(date(2020, 2, 29), 4) == date(2024, 2, 29)
