"""Round 3 scoring and ranking (reviews.final)."""

from decimal import Decimal

import pytest
import time_machine

from applications.enums import ApplicationStatus
from applications.models import Application
from recruitment.timeutils import beijing
from reviews import final, permissions
from reviews.models import CommitteeMember, RiskAssessment, Score, ScoreSheet
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import ApplicationFactory, CampaignFactory, UserFactory
from tests.reviews.factories import (
    CallAttemptFactory,
    FilingFactory,
    FinalReviewApplicationFactory,
    PhoneTaskFactory,
    RubricCriterionFactory,
    ScoreSheetFactory,
    judge_of,
    staff_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(campaign):
    """The 2024 default rubric created by the migration: weights 15/15/30/25/15, each out of 10."""
    return final.rubric_of(campaign)


@pytest.fixture
def application(campaign):
    return FinalReviewApplicationFactory(campaign=campaign, company_name="杭州终审一号科技有限公司")


@pytest.fixture
def member(campaign):
    """A judge on the 2024 campaign's committee."""
    return judge_of(campaign, username="member-a")


@pytest.fixture
def other_member(campaign):
    return judge_of(campaign, username="member-b")


def scores_for(rubric, *values):
    return {criterion.pk: value for criterion, value in zip(rubric, values, strict=True)}


# --- The weighted score -------------------------------------------------------------------------------


def test_default_rubric_is_weighted_most_on_new_merchants_and_cases(rubric):
    assert [(c.name, c.weight, c.max_score) for c in rubric] == [
        ("通用资质", 15, 10),
        ("加分项", 15, 10),
        ("新商家资源", 30, 10),
        ("历史合作案例", 25, 10),
        ("招商计划与媒体投入", 15, 10),
    ]


def test_weighted_score_of_the_default_rubric(rubric):
    # (15×8 + 15×6 + 30×9 + 25×7 + 15×5) / 10 / 100 × 100 = 73
    assert final.weighted_score(rubric, scores_for(rubric, 8, 6, 9, 7, 5)) == Decimal("73.00")


def test_weighted_score_all_maximum_is_100_and_all_zero_is_0(rubric):
    assert final.weighted_score(rubric, scores_for(rubric, 10, 10, 10, 10, 10)) == Decimal("100.00")
    assert final.weighted_score(rubric, scores_for(rubric, 0, 0, 0, 0, 0)) == Decimal("0.00")


def test_weighted_score_with_different_maxima_is_rounded_to_2_decimals(campaign):
    third = RubricCriterionFactory.build(pk=1, weight=1, max_score=3)
    seventh = RubricCriterionFactory.build(pk=2, weight=2, max_score=7)
    # (1×1/3 + 2×5/7) / 3 × 100 = 58.730158…
    assert final.weighted_score([third, seventh], {1: 1, 2: 5}) == Decimal("58.73")


def test_weighted_score_rounds_an_exact_half_up():
    criterion = RubricCriterionFactory.build(pk=1, weight=1, max_score=800)
    # 1/800 × 100 = 0.125 exactly: half up gives 0.13 (banker's rounding would give 0.12)
    assert final.weighted_score([criterion], {1: 1}) == Decimal("0.13")
    assert final.weighted_score([criterion], {1: 3}) == Decimal("0.38")  # 0.375


# --- Submitting a sheet ---------------------------------------------------------------------------------


def test_member_submits_a_sheet_with_every_score_and_the_weighted_score(application, rubric, member):
    with time_machine.travel(beijing(2024, 4, 27, 15, 30), tick=False):
        sheet = final.submit_scores(
            application, reviewer=member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="  新商家资源充足  "
        )

    sheet.refresh_from_db()
    assert (sheet.application, sheet.reviewer, sheet.comment) == (application, member, "新商家资源充足")
    assert sheet.weighted_score == Decimal("73.00")
    assert sheet.submitted_at == beijing(2024, 4, 27, 15, 30)
    assert sorted((s.criterion.name, s.value) for s in sheet.scores.all()) == sorted(
        [("通用资质", 8), ("加分项", 6), ("新商家资源", 9), ("历史合作案例", 7), ("招商计划与媒体投入", 5)]
    )


def test_scores_may_be_given_with_string_keys_and_values_as_a_form_posts_them(application, rubric, member):
    scores = {str(c.pk): str(v) for c, v in zip(rubric, [10, 10, 10, 10, 0], strict=True)}

    sheet = final.submit_scores(application, reviewer=member, scores=scores, comment="好")

    assert sheet.weighted_score == Decimal("85.00")


def test_a_missing_criterion_is_refused_and_names_it(application, rubric, member):
    scores = scores_for(rubric, 8, 6, 9, 7, 5)
    del scores[rubric[2].pk]

    with pytest.raises(final.ScoringError) as error:
        final.submit_scores(application, reviewer=member, scores=scores, comment="好")

    assert str(error.value) == "每个评分项都必须打分。尚缺：新商家资源。"
    assert ScoreSheet.objects.count() == 0
    assert Score.objects.count() == 0


@pytest.mark.parametrize("value", [11, -1, "7.5", "", None, True])
def test_a_score_outside_0_to_max_is_refused(application, rubric, member, value):
    scores = scores_for(rubric, 8, 6, value, 7, 5)

    with pytest.raises(final.ScoringError):
        final.submit_scores(application, reviewer=member, scores=scores, comment="好")

    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize("value", [0, 10])
def test_the_bounds_0_and_max_are_accepted(application, rubric, member, value):
    sheet = final.submit_scores(
        application, reviewer=member, scores=scores_for(rubric, value, value, value, value, value), comment="好"
    )

    assert sheet.weighted_score == Decimal(value * 10).quantize(Decimal("0.01"))


def test_a_score_above_max_names_the_criterion_and_its_maximum(application, rubric, member):
    with pytest.raises(final.ScoringError) as error:
        final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 8, 6, 11, 7, 5), comment="好")

    assert str(error.value) == "“新商家资源”必须是 0 到 10 之间的整数。"


def test_an_unknown_criterion_is_refused(application, rubric, member, campaign):
    foreign = RubricCriterionFactory(campaign=CampaignFactory(slug="2025-nx3", is_current=False))
    scores = {**scores_for(rubric, 8, 6, 9, 7, 5), foreign.pk: 5}

    with pytest.raises(final.ScoringError):
        final.submit_scores(application, reviewer=member, scores=scores, comment="好")

    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_a_comment_is_required(application, rubric, member, comment):
    with pytest.raises(final.ScoringError) as error:
        final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment=comment)

    assert str(error.value) == "请填写评语。"
    assert ScoreSheet.objects.count() == 0


def test_a_second_sheet_by_the_same_member_is_refused_and_the_first_is_kept(application, rubric, member):
    first = final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="一")

    with pytest.raises(final.AlreadyScored):
        final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 1, 1, 1, 1, 1), comment="二")

    assert list(ScoreSheet.objects.values_list("pk", "comment", "weighted_score")) == [
        (first.pk, "一", Decimal("73.00"))
    ]
    assert Score.objects.count() == 5


def test_two_members_each_submit_a_sheet(application, rubric, member, other_member):
    final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="一")
    final.submit_scores(application, reviewer=other_member, scores=scores_for(rubric, 10, 10, 10, 10, 10), comment="二")

    assert sorted(application.score_sheets.values_list("reviewer__username", "weighted_score")) == [
        ("member-a", Decimal("73.00")),
        ("member-b", Decimal("100.00")),
    ]


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.FILING,
        ApplicationStatus.RISK_REVIEW,
        ApplicationStatus.SELECTED,
        ApplicationStatus.NOT_SELECTED,
        ApplicationStatus.RISK_REJECTED,
    ],
)
def test_only_an_application_in_final_review_can_be_scored(campaign, rubric, member, status):
    application = FinalReviewApplicationFactory(campaign=campaign, status=status)

    with pytest.raises(final.ScoringError):
        final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="好")

    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize("role", [CAMPAIGN_ADMIN, ROUND1_REVIEWER, RISK_OFFICER, OPERATIONS])
def test_other_roles_cannot_score(application, rubric, role):
    user = staff_with_role(role)

    with pytest.raises(final.ScoringError) as error:
        final.submit_scores(application, reviewer=user, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="好")

    assert str(error.value) == "您不是终审委员，不能评分。"
    assert ScoreSheet.objects.count() == 0


def test_a_campaign_without_rubric_cannot_be_scored(member):
    campaign = CampaignFactory(slug="2025-nx3", is_current=False)
    CommitteeMember.objects.create(campaign=campaign, member=member)
    application = FinalReviewApplicationFactory(campaign=campaign)

    with pytest.raises(final.ScoringError) as error:
        final.submit_scores(application, reviewer=member, scores={}, comment="好")

    assert str(error.value) == "本活动尚未设置评分标准。"


def test_the_rubric_locks_once_a_sheet_exists(application, rubric, member, campaign):
    assert final.rubric_is_locked(campaign) is False

    final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="好")

    assert final.rubric_is_locked(campaign) is True


# --- Who sees the sheets ---------------------------------------------------------------------------------


def test_a_member_sees_the_others_scores_only_after_submitting_their_own(application, rubric, member, other_member):
    final.submit_scores(application, reviewer=other_member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="一")

    before = permissions.can_see_scores_of(member, application)
    final.submit_scores(application, reviewer=member, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="二")
    after = permissions.can_see_scores_of(member, application)

    assert (before, after) == (False, True)


@pytest.mark.parametrize(
    ("role", "sees"),
    [(CAMPAIGN_ADMIN, True), (ROUND1_REVIEWER, False), (RISK_OFFICER, False), (OPERATIONS, False)],
)
def test_only_the_campaign_admin_sees_every_sheet_without_scoring(application, role, sees):
    ScoreSheetFactory(application=application)

    assert permissions.can_see_scores_of(staff_with_role(role), application) is sees


# --- Ranking ----------------------------------------------------------------------------------------------


def ranked(campaign):
    return [(e.application.company_name, e.rank, e.mean, e.sheet_count) for e in final.ranking(campaign)]


def test_ranking_shares_ranks_on_ties_and_lists_unscored_last(campaign):
    def app(name, minute, *scores):
        application = FinalReviewApplicationFactory(
            campaign=campaign, company_name=name, submitted_at=beijing(2024, 4, 10, 9, minute)
        )
        for score in scores:
            ScoreSheetFactory(application=application, weighted_score=Decimal(score))
        return application

    app("无评分", 0)
    app("D", 1, "80.00")
    app("C 一份", 2, "85.00")
    app("B 两份", 3, "80.00", "90.00")
    app("E 同分晚交", 5, "70.00")
    app("E 同分早交", 4, "70.00")
    app("A", 6, "95.00", "93.00", "94.00")

    assert ranked(campaign) == [
        ("A", 1, Decimal("94.00"), 3),
        ("B 两份", 2, Decimal("85.00"), 2),
        ("C 一份", 2, Decimal("85.00"), 1),
        ("D", 4, Decimal("80.00"), 1),
        ("E 同分早交", 5, Decimal("70.00"), 1),
        ("E 同分晚交", 5, Decimal("70.00"), 1),
        ("无评分", None, None, 0),
    ]


def test_ranking_mean_is_exact_and_rounded_half_up(campaign):
    half = FinalReviewApplicationFactory(campaign=campaign, company_name="半")
    ScoreSheetFactory(application=half, weighted_score=Decimal("85.12"))
    ScoreSheetFactory(application=half, weighted_score=Decimal("85.13"))
    thirds = FinalReviewApplicationFactory(campaign=campaign, company_name="三")
    for score in ("80.00", "80.00", "80.01"):
        ScoreSheetFactory(application=thirds, weighted_score=Decimal(score))

    assert ranked(campaign) == [("半", 1, Decimal("85.13"), 2), ("三", 2, Decimal("80.00"), 3)]


def test_ranking_lists_round_3_and_published_outcomes_of_the_campaign_only(campaign):
    FinalReviewApplicationFactory(campaign=campaign, company_name="终审中")
    FinalReviewApplicationFactory(campaign=campaign, company_name="已入选", status=ApplicationStatus.SELECTED)
    FinalReviewApplicationFactory(campaign=campaign, company_name="未入选", status=ApplicationStatus.NOT_SELECTED)
    FinalReviewApplicationFactory(campaign=campaign, status=ApplicationStatus.RISK_REJECTED)
    ApplicationFactory(campaign=campaign, status=ApplicationStatus.SUBMITTED)
    FinalReviewApplicationFactory(campaign=CampaignFactory(slug="2025-nx3", is_current=False))

    assert sorted(e.application.company_name for e in final.ranking(campaign)) == sorted(["终审中", "已入选", "未入选"])


def test_ranking_runs_one_query_whatever_the_number_of_sheets(campaign, django_assert_num_queries):
    for n in range(5):
        application = FinalReviewApplicationFactory(campaign=campaign)
        for _ in range(n):
            ScoreSheetFactory(application=application)

    with django_assert_num_queries(1):
        entries = final.ranking(campaign)

    assert [e.sheet_count for e in entries] == [4, 3, 2, 1, 0]


# --- The committee ----------------------------------------------------------------------------------------


def test_a_judge_off_the_campaigns_committee_cannot_score_and_nothing_is_written(application, rubric, campaign):
    other = CampaignFactory(slug="2025-nx3", is_current=False)
    outsider = judge_of(other, username="judge-of-nx3")

    with pytest.raises(final.ScoringError) as error:
        final.submit_scores(application, reviewer=outsider, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="好")

    assert str(error.value) == "您不是本活动终审委员会的委员，不能为其申请评分。"
    assert ScoreSheet.objects.count() == 0


def test_a_superuser_off_the_committee_cannot_score_either(application, rubric):
    boss = UserFactory(is_staff=True, is_superuser=True)

    with pytest.raises(final.ScoringError):
        final.submit_scores(application, reviewer=boss, scores=scores_for(rubric, 8, 6, 9, 7, 5), comment="好")

    assert ScoreSheet.objects.count() == 0


def test_on_committees_of_keeps_the_campaigns_a_judge_sits_on(campaign):
    other = CampaignFactory(slug="2025-nx3", is_current=False)
    mine = FinalReviewApplicationFactory(campaign=campaign, company_name="本活动")
    FinalReviewApplicationFactory(campaign=other, company_name="另一活动")
    judge = judge_of(campaign)
    both = judge_of(campaign, other)
    nobody = staff_with_role(FINAL_COMMITTEE)
    queryset = Application.objects.filter(status=ApplicationStatus.FINAL_REVIEW)

    assert list(final.on_committees_of(judge, queryset)) == [mine]
    assert sorted(a.company_name for a in final.on_committees_of(both, queryset)) == ["另一活动", "本活动"]
    assert list(final.on_committees_of(nobody, queryset)) == []


def test_awaiting_my_score_counts_the_unscored_of_my_committee_only(campaign, member):
    scored, _unscored, _also_unscored = FinalReviewApplicationFactory.create_batch(3, campaign=campaign)
    ScoreSheetFactory(application=scored, reviewer=member)
    FinalReviewApplicationFactory(campaign=campaign, status=ApplicationStatus.SELECTED)
    other = CampaignFactory(slug="2025-nx3", is_current=False)
    FinalReviewApplicationFactory(campaign=other)

    assert final.awaiting_my_score(member, campaign) == 2
    assert final.awaiting_my_score(member, other) == 0
    assert final.awaiting_my_score(staff_with_role(FINAL_COMMITTEE), campaign) == 0


def test_with_committee_evidence_names_the_members_without_a_sheet(campaign, member, other_member):
    both = FinalReviewApplicationFactory(campaign=campaign, company_name="两位已评")
    ScoreSheetFactory(application=both, reviewer=member, weighted_score=Decimal("90.00"))
    ScoreSheetFactory(application=both, reviewer=other_member, weighted_score=Decimal("80.00"))
    one = FinalReviewApplicationFactory(campaign=campaign, company_name="一位已评")
    ScoreSheetFactory(application=one, reviewer=member, weighted_score=Decimal("70.00"))
    FinalReviewApplicationFactory(campaign=campaign, company_name="未评")

    entries = final.with_committee_evidence(final.ranking(campaign), campaign)

    assert [(e.application.company_name, [m.username for m in e.missing_members], e.override) for e in entries] == [
        ("两位已评", [], None),
        ("一位已评", ["member-b"], None),
        ("未评", ["member-a", "member-b"], None),
    ]


def test_with_committee_evidence_runs_three_queries_whatever_the_number_of_rows(
    campaign, member, django_assert_num_queries
):
    for _ in range(4):
        ScoreSheetFactory(application=FinalReviewApplicationFactory(campaign=campaign), reviewer=member)
    entries = final.ranking(campaign)

    with django_assert_num_queries(3):
        final.with_committee_evidence(entries, campaign)

    assert [len(e.missing_members) for e in entries] == [0, 0, 0, 0]


# --- What a judge scores from -------------------------------------------------------------------------------


def test_evidence_of_holds_the_filing_the_latest_assessment_and_every_call(application):
    filing = FilingFactory(application=application)
    with time_machine.travel(beijing(2024, 4, 24, 9, 59, 59), tick=False):
        RiskAssessment.objects.create(application=application, passed=False, results=[])
    with time_machine.travel(beijing(2024, 4, 24, 10), tick=False):
        latest = RiskAssessment.objects.create(application=application, passed=True, results=[])
    task = PhoneTaskFactory(application=application)
    later = CallAttemptFactory(task=task, called_at=beijing(2024, 4, 23, 15), outcome="reached")
    earlier = CallAttemptFactory(task=task, called_at=beijing(2024, 4, 23, 9), outcome="no_answer")

    evidence = final.evidence_of(application)

    assert (evidence.filing, evidence.assessment, evidence.phone_task, evidence.calls) == (
        filing, latest, task, [earlier, later],
    )


def test_evidence_of_an_application_without_them_is_empty(application):
    evidence = final.evidence_of(application)

    assert (evidence.filing, evidence.assessment, evidence.phone_task, evidence.calls) == (None, None, None, [])
