"""Pending decisions under the seat quota, and publication of the results (reviews.publication)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from applications.enums import ApplicationStatus, PendingDecision
from applications.models import Application, StatusChange
from notifications.models import Notification
from notifications.services import notify
from probation.models import Leader
from recruitment.timeutils import beijing
from reviews import publication
from reviews.models import CommitteeMember, SelectionOverride
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import ApplicationFactory, CampaignFactory, UserFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import (
    FinalReviewApplicationFactory,
    ScoreSheetFactory,
    judge_of,
    scored_by_committee,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus
RESULTS_AT = beijing(2024, 5, 6)
CHANNELS = 3  # e-mail, SMS and the status page (settings.NOTIFICATION_CHANNELS)


@pytest.fixture
def admin_user():
    return staff_with_role(CAMPAIGN_ADMIN, username="campaign-admin")


@pytest.fixture
def finalist(campaign):
    """A finalist scored by every member of the committee (one judge)."""
    application = FinalReviewApplicationFactory(campaign=campaign, company_name="杭州入围一号科技有限公司")
    scored_by_committee(application)
    return application


def states(campaign):
    return dict(Application.objects.filter(campaign=campaign).values_list("company_name", "status"))


# --- Recording decisions ----------------------------------------------------------------------------------


def test_selecting_records_a_pending_decision_with_who_and_when(finalist, admin_user):
    with time_machine.travel(beijing(2024, 4, 29, 16, 0, 5), tick=False):
        publication.record_decision(finalist, actor=admin_user, decision=PendingDecision.SELECTED)

    finalist.refresh_from_db()
    assert (finalist.status, finalist.pending_decision) == (S.FINAL_REVIEW, "selected")
    assert (finalist.decided_by, finalist.decided_at) == (admin_user, beijing(2024, 4, 29, 16, 0, 5))
    assert StatusChange.objects.filter(application=finalist).count() == 0


def test_a_decision_can_be_changed_and_cleared_before_publication(finalist, admin_user):
    publication.record_decision(finalist, actor=admin_user, decision=PendingDecision.SELECTED)
    publication.record_decision(finalist, actor=admin_user, decision=PendingDecision.NOT_SELECTED)
    finalist.refresh_from_db()
    assert finalist.pending_decision == "not_selected"

    publication.record_decision(finalist, actor=admin_user, decision=PendingDecision.NONE)

    finalist.refresh_from_db()
    assert (finalist.pending_decision, finalist.decided_by, finalist.decided_at) == ("", None, None)


@pytest.mark.parametrize("role", [FINAL_COMMITTEE, ROUND1_REVIEWER, RISK_OFFICER, OPERATIONS])
def test_other_roles_cannot_decide(finalist, role):
    with pytest.raises(publication.SelectionError):
        publication.record_decision(finalist, actor=staff_with_role(role), decision=PendingDecision.SELECTED)

    finalist.refresh_from_db()
    assert (finalist.pending_decision, finalist.decided_by) == ("", None)


@pytest.mark.parametrize("status", [S.SUBMITTED, S.RISK_REVIEW, S.RISK_REJECTED, S.SELECTED])
def test_only_an_application_in_final_review_can_be_decided(campaign, admin_user, status):
    application = FinalReviewApplicationFactory(campaign=campaign, status=status)

    with pytest.raises(publication.SelectionError):
        publication.record_decision(application, actor=admin_user, decision=PendingDecision.SELECTED)

    application.refresh_from_db()
    assert application.pending_decision == ""


def test_the_51st_selection_is_refused_with_50_seats(campaign, admin_user):
    finalists = FinalReviewApplicationFactory.create_batch(51, campaign=campaign)
    for application in finalists:
        scored_by_committee(application)
    for application in finalists[:50]:
        publication.record_decision(application, actor=admin_user, decision=PendingDecision.SELECTED)
    assert publication.seats_left(campaign) == 0

    with pytest.raises(publication.QuotaExceeded) as error:
        publication.record_decision(finalists[50], actor=admin_user, decision=PendingDecision.SELECTED)

    assert str(error.value) == "50 个名额已满：请先清除其他入选决定。"
    assert publication.pending_selections(campaign).count() == 50
    finalists[50].refresh_from_db()
    assert finalists[50].pending_decision == ""


def test_when_full_a_selected_one_can_be_reselected_and_clearing_frees_a_seat(campaign, admin_user):
    campaign.seats = 2
    campaign.save()
    first, second, third = FinalReviewApplicationFactory.create_batch(3, campaign=campaign)
    for application in (first, second, third):
        scored_by_committee(application)
    publication.record_decision(first, actor=admin_user, decision=PendingDecision.SELECTED)
    publication.record_decision(second, actor=admin_user, decision=PendingDecision.SELECTED)

    publication.record_decision(first, actor=admin_user, decision=PendingDecision.SELECTED)  # no-op, no error
    publication.record_decision(third, actor=admin_user, decision=PendingDecision.NOT_SELECTED)  # not a seat
    publication.record_decision(second, actor=admin_user, decision=PendingDecision.NONE)
    publication.record_decision(third, actor=admin_user, decision=PendingDecision.SELECTED)

    assert sorted(publication.pending_selections(campaign).values_list("pk", flat=True)) == [first.pk, third.pk]
    assert publication.seats_left(campaign) == 0


def test_seats_are_counted_per_campaign(campaign, admin_user):
    other = CampaignFactory(slug="2025-nx3", is_current=False, seats=1)
    publication.record_decision(
        scored_by_committee(FinalReviewApplicationFactory(campaign=other))[0].application,
        actor=admin_user, decision=PendingDecision.SELECTED,
    )

    assert (publication.seats_left(other), publication.seats_left(campaign)) == (0, 50)


# --- Selection needs every committee member's sheet, or an override with a reason ------------------------------


@pytest.fixture
def committee(campaign):
    return judge_of(campaign, username="judge-a"), judge_of(campaign, username="judge-b")


@pytest.fixture
def contender(campaign):
    return FinalReviewApplicationFactory(campaign=campaign, company_name="待择优公司")


def nothing_decided(application):
    application.refresh_from_db()
    return (application.pending_decision, application.decided_by, application.decided_at) == ("", None, None) and (
        not SelectionOverride.objects.filter(application=application).exists()
    )


def test_selection_without_any_sheet_is_refused_naming_every_member(contender, committee, admin_user):
    with pytest.raises(publication.SheetsMissing) as error:
        publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED)

    assert str(error.value) == (
        "择优通过需要每位终审委员的评分表，尚缺：judge-a、judge-b。请等待其评分，或填写未收齐评分表即通过的理由。"
    )
    assert nothing_decided(contender)


def test_selection_scored_by_one_of_two_members_is_refused_naming_the_other(contender, committee, admin_user):
    ScoreSheetFactory(application=contender, reviewer=committee[0])

    with pytest.raises(publication.SheetsMissing) as error:
        publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED)

    assert "尚缺：judge-b。" in str(error.value)
    assert nothing_decided(contender)


def test_selection_scored_by_every_member_is_recorded_without_an_override(contender, committee, admin_user):
    for judge in committee:
        ScoreSheetFactory(application=contender, reviewer=judge)

    publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED,
                                override_reason="不需要的理由")

    contender.refresh_from_db()
    assert contender.pending_decision == "selected"
    assert not SelectionOverride.objects.exists()


def test_a_member_taken_off_the_committee_is_no_longer_waited_for(contender, committee, admin_user, campaign):
    ScoreSheetFactory(application=contender, reviewer=committee[0])
    CommitteeMember.objects.filter(campaign=campaign, member=committee[1]).delete()

    publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED)

    contender.refresh_from_db()
    assert contender.pending_decision == "selected"


def test_selection_with_an_override_reason_records_who_when_why_and_whose_sheets_were_missing(
    contender, committee, admin_user
):
    ScoreSheetFactory(application=contender, reviewer=committee[0])

    with time_machine.travel(beijing(2024, 4, 29, 17, 30, 59), tick=False):
        publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED,
                                    override_reason="  judge-b 出差无法评分，委员会同意  ")

    contender.refresh_from_db()
    assert (contender.pending_decision, contender.decided_by) == ("selected", admin_user)
    override = SelectionOverride.objects.get(application=contender)
    assert (override.reason, override.missing_members, override.decided_by, override.decided_at) == (
        "judge-b 出差无法评分，委员会同意", ["judge-b"], admin_user, beijing(2024, 4, 29, 17, 30, 59),
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_blank_override_reason_is_no_override(contender, committee, admin_user, reason):
    with pytest.raises(publication.SheetsMissing):
        publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED,
                                    override_reason=reason)

    assert nothing_decided(contender)


def test_a_campaign_without_a_committee_selects_only_with_an_override(contender, admin_user):
    with pytest.raises(publication.SheetsMissing) as error:
        publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED)
    assert str(error.value) == (
        "本活动尚未设立终审委员会：请先指定终审委员，或填写不经评分即择优通过的理由。"
    )
    assert nothing_decided(contender)

    publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED,
                                override_reason="委员会未设立，由活动管理员决定")

    assert SelectionOverride.objects.get(application=contender).missing_members == []


@pytest.mark.parametrize("decision", [PendingDecision.NOT_SELECTED, PendingDecision.NONE])
def test_another_decision_drops_the_override(contender, committee, admin_user, decision):
    publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED,
                                override_reason="评分未齐，先行择优")

    publication.record_decision(contender, actor=admin_user, decision=decision)

    contender.refresh_from_db()
    assert contender.pending_decision == decision
    assert not SelectionOverride.objects.exists()


def test_selecting_again_once_every_sheet_is_in_drops_the_override(contender, committee, admin_user):
    publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED,
                                override_reason="评分未齐，先行择优")
    for judge in committee:
        ScoreSheetFactory(application=contender, reviewer=judge)

    publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED)

    assert not SelectionOverride.objects.exists()


def test_an_override_does_not_bypass_the_seats(campaign, contender, committee, admin_user):
    campaign.seats = 1
    campaign.save()
    publication.record_decision(contender, actor=admin_user, decision=PendingDecision.SELECTED,
                                override_reason="评分未齐，先行择优")
    second = FinalReviewApplicationFactory(campaign=campaign)

    with pytest.raises(publication.QuotaExceeded):
        publication.record_decision(second, actor=admin_user, decision=PendingDecision.SELECTED,
                                    override_reason="评分未齐，先行择优")

    assert nothing_decided(second)


# --- Changing the seats -----------------------------------------------------------------------------------


@pytest.fixture
def three_selected(campaign):
    """Two pending selections, one published selection (no pending decision, as the demo data has it), and
    applications that hold no seat: not selected, undecided, selected in another campaign."""
    FinalReviewApplicationFactory.create_batch(2, campaign=campaign, pending_decision=PendingDecision.SELECTED)
    FinalReviewApplicationFactory(campaign=campaign, status=S.SELECTED)
    FinalReviewApplicationFactory(campaign=campaign, pending_decision=PendingDecision.NOT_SELECTED)
    FinalReviewApplicationFactory(campaign=campaign)
    FinalReviewApplicationFactory(campaign=CampaignFactory(slug="2025-nx3", is_current=False),
                                  pending_decision=PendingDecision.SELECTED)
    return campaign


def test_seats_equal_to_the_selected_count_are_allowed(three_selected):
    assert publication.check_seats(three_selected, 3) == 3


def test_seats_one_below_the_selected_count_are_refused_naming_the_count(three_selected):
    with pytest.raises(publication.SeatsBelowSelected) as error:
        publication.check_seats(three_selected, 2)

    assert str(error.value) == "已有 3 份申请被择优通过（含已公示的），名额不能少于 3 个。"


def test_seats_refusal_in_english_names_the_count(three_selected):
    with translation.override("en"), pytest.raises(publication.SeatsBelowSelected) as error:
        publication.check_seats(three_selected, 0)

    assert str(error.value) == "3 applications are already selected: the seats cannot be fewer than 3."


# --- Publication ------------------------------------------------------------------------------------------


@pytest.fixture
def decided(campaign, admin_user):
    """Two finalists selected, one not, one rejected in round 1, one by the risk rules, one withdrawn."""
    apps = {
        "selected_a": FinalReviewApplicationFactory(campaign=campaign, company_name="甲", alliance_account="mm_a"),
        "selected_b": FinalReviewApplicationFactory(campaign=campaign, company_name="乙", alliance_account="mm_b"),
        "not_selected": FinalReviewApplicationFactory(campaign=campaign, company_name="丙"),
        "round1": ApplicationFactory(campaign=campaign, company_name="丁", status=S.ROUND1_REJECTED),
        "risk": ApplicationFactory(campaign=campaign, company_name="戊", status=S.RISK_REJECTED),
        "withdrawn": ApplicationFactory(campaign=campaign, company_name="己", status=S.WITHDRAWN),
        "draft": ApplicationFactory(campaign=campaign, company_name="庚"),
    }
    for n, app in enumerate(apps.values()):  # accounts with a mobile number: told on every channel
        type(app.applicant).objects.filter(pk=app.applicant_id).update(mobile=f"1370000001{n}")
    for key in ("selected_a", "selected_b"):
        scored_by_committee(apps[key])
        publication.record_decision(apps[key], actor=admin_user, decision=PendingDecision.SELECTED)
    publication.record_decision(apps["not_selected"], actor=admin_user, decision=PendingDecision.NOT_SELECTED)
    return apps


def test_publication_applies_every_decision_creates_leaders_and_notifies_each_applicant(
    campaign, decided, admin_user
):
    with time_machine.travel(beijing(2024, 5, 6, 9, 30), tick=False):
        publication.publish_results(campaign, actor=admin_user)

    campaign.refresh_from_db()
    assert campaign.published_at == beijing(2024, 5, 6, 9, 30)
    assert states(campaign) == {
        "甲": S.SELECTED, "乙": S.SELECTED, "丙": S.NOT_SELECTED,
        "丁": S.ROUND1_REJECTED, "戊": S.RISK_REJECTED, "己": S.WITHDRAWN, "庚": S.DRAFT,
    }
    assert sorted(
        Leader.objects.values_list("leader_account", "company_name", "credit_code", "granted_at", "application")
    ) == [
        ("mm_a", "甲", decided["selected_a"].credit_code, beijing(2024, 5, 6, 9, 30), decided["selected_a"].pk),
        ("mm_b", "乙", decided["selected_b"].credit_code, beijing(2024, 5, 6, 9, 30), decided["selected_b"].pk),
    ]
    assert set(Leader.objects.values_list("campaign", flat=True)) == {campaign.pk}
    audit = StatusChange.objects.filter(application=decided["selected_a"]).get()
    assert (audit.from_status, audit.to_status, audit.actor) == (S.FINAL_REVIEW, S.SELECTED, admin_user)
    notified = {
        key: sorted(Notification.objects.filter(application=app).values_list("event", "channel"))
        for key, app in decided.items()
    }
    for key in ("selected_a", "selected_b", "not_selected", "round1", "risk"):
        event = f"published:{decided[key].pk}"
        assert notified[key] == [(event, "email"), (event, "inapp"), (event, "sms")]
    assert (notified["withdrawn"], notified["draft"]) == ([], [])


def test_selected_and_not_selected_messages(campaign, decided, admin_user):
    with time_machine.travel(RESULTS_AT, tick=False):
        publication.publish_results(campaign, actor=admin_user)

    selected = Notification.objects.get(application=decided["selected_a"], channel="email")
    assert selected.recipient == decided["selected_a"].applicant
    assert selected.subject == f"{campaign.name}：您的申请已入选"
    assert "mm_a" in selected.body
    assert "试用期" in selected.body
    bodies = {
        key: Notification.objects.get(application=decided[key], channel="email")
        for key in ("not_selected", "round1", "risk")
    }
    # Neutral: one wording for every way of not being selected, whatever the round.
    assert {n.subject for n in bodies.values()} == {f"{campaign.name}：申请结果通知"}
    assert {n.body.replace(decided[key].company_name, "X") for key, n in bodies.items()} == {
        bodies["not_selected"].body.replace("丙", "X")
    }
    for notification in bodies.values():
        assert "风险" not in notification.body
        assert "初审" not in notification.body


def test_publication_one_second_before_the_results_date_is_refused(campaign, decided, admin_user):
    with time_machine.travel(RESULTS_AT - timedelta(seconds=1), tick=False):
        with pytest.raises(publication.PublicationError) as error:
            publication.publish_results(campaign, actor=admin_user)

    assert str(error.value) == "结果公示时间 2024-05-06 00:00:00（北京时间）之前不能公示结果。"
    campaign.refresh_from_db()
    assert campaign.published_at is None
    assert states(campaign)["甲"] == S.FINAL_REVIEW
    assert Notification.objects.count() == 0


def test_publication_at_the_exact_second_of_the_results_date_is_allowed(campaign, decided, admin_user):
    with time_machine.travel(RESULTS_AT, tick=False):
        publication.publish_results(campaign, actor=admin_user)

    campaign.refresh_from_db()
    assert campaign.published_at == RESULTS_AT


def test_publication_with_undecided_or_unreviewed_applications_is_refused_and_lists_them(
    campaign, decided, admin_user
):
    FinalReviewApplicationFactory(campaign=campaign, company_name="未决定公司", submitted_at=beijing(2024, 4, 1))
    ApplicationFactory(campaign=campaign, company_name="待备案公司", status=S.FILING, submitted_at=beijing(2024, 4, 2))

    with time_machine.travel(RESULTS_AT, tick=False):
        with pytest.raises(publication.PublicationError) as error:
            publication.publish_results(campaign, actor=admin_user)

    assert str(error.value) == (
        "请先处理以下申请（仍在审核中或尚未决定）：未决定公司（终审中）、待备案公司（初审通过，待系统备案）。"
    )
    assert states(campaign)["甲"] == S.FINAL_REVIEW
    assert Leader.objects.count() == 0
    assert Notification.objects.count() == 0


def test_publication_twice_is_refused_and_notifies_nobody_again(campaign, decided, admin_user):
    with time_machine.travel(RESULTS_AT, tick=False):
        publication.publish_results(campaign, actor=admin_user)
    sent = Notification.objects.count()

    with time_machine.travel(RESULTS_AT + timedelta(hours=1), tick=False):
        with pytest.raises(publication.PublicationError):
            publication.publish_results(campaign, actor=admin_user)

    assert Notification.objects.count() == sent == 5 * CHANNELS
    assert Leader.objects.count() == 2
    campaign.refresh_from_db()
    assert campaign.published_at == RESULTS_AT


def test_notifying_the_same_outcome_twice_records_it_once(campaign, decided, admin_user):
    with time_machine.travel(RESULTS_AT, tick=False):
        publication.publish_results(campaign, actor=admin_user)
    application = decided["selected_a"]

    again = notify(
        event=f"published:{application.pk}", recipient=application.applicant, template="publication_selected",
        context={"campaign": campaign}, application=application,
    )

    assert again == []
    assert Notification.objects.filter(application=application).count() == CHANNELS


def test_publication_is_atomic_when_a_leader_collides(campaign, decided, admin_user):
    # The account of a selected application already leads for another application of this campaign.
    LeaderFactory(campaign=campaign, leader_account="mm_b", application=decided["round1"])
    before = states(campaign)

    with time_machine.travel(RESULTS_AT, tick=False):
        with pytest.raises(publication.PublicationError) as error:
            publication.publish_results(campaign, actor=admin_user)

    assert "mm_b" in str(error.value)
    assert states(campaign) == before
    assert StatusChange.objects.filter(application__campaign=campaign).count() == 0
    assert list(Leader.objects.values_list("leader_account", flat=True)) == ["mm_b"]
    assert Notification.objects.count() == 0
    campaign.refresh_from_db()
    assert campaign.published_at is None


def test_publication_links_a_leader_imported_before_without_application(campaign, decided, admin_user):
    imported = LeaderFactory(campaign=campaign, leader_account="mm_a", application=None)

    with time_machine.travel(RESULTS_AT, tick=False):
        publication.publish_results(campaign, actor=admin_user)

    imported.refresh_from_db()
    assert imported.application == decided["selected_a"]
    assert Leader.objects.count() == 2


def test_publication_rechecks_the_seats(campaign, decided, admin_user):
    campaign.seats = 1
    campaign.save()

    with time_machine.travel(RESULTS_AT, tick=False):
        with pytest.raises(publication.PublicationError) as error:
            publication.publish_results(campaign, actor=admin_user)

    assert str(error.value) == "已有 2 个申请入选，但本活动只有 1 个名额。"
    assert states(campaign)["甲"] == S.FINAL_REVIEW


@pytest.mark.parametrize("role", [FINAL_COMMITTEE, ROUND1_REVIEWER, RISK_OFFICER, OPERATIONS])
def test_other_roles_cannot_publish(campaign, decided, role):
    with time_machine.travel(RESULTS_AT, tick=False):
        with pytest.raises(publication.PublicationError):
            publication.publish_results(campaign, actor=staff_with_role(role))

    campaign.refresh_from_db()
    assert campaign.published_at is None
    assert states(campaign)["甲"] == S.FINAL_REVIEW


def test_no_decision_changes_after_publication(campaign, decided, admin_user):
    with time_machine.travel(RESULTS_AT, tick=False):
        publication.publish_results(campaign, actor=admin_user)

    with pytest.raises(publication.SelectionError):
        publication.record_decision(decided["selected_a"], actor=admin_user, decision=PendingDecision.NONE)


def test_decisions_stay_invisible_to_the_applicant_before_publication(campaign, decided, client):
    """The status page of a selected-but-unpublished applicant shows neither the decision nor an outcome."""
    applicant = decided["selected_a"].applicant
    client.force_login(applicant)

    with time_machine.travel(RESULTS_AT, tick=False):
        response = client.get("/status/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "入选" not in text
    assert "择优" not in text


def test_a_plain_user_is_never_a_selector():
    assert publication.permissions.can_select(UserFactory()) is False
