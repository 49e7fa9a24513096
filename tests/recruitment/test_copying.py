"""复制为新一轮 (recruitment.copying): whole-month shifts, what a copy takes along, and that the 2024 campaign
copied to 2025 is ready to open and publish."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from applications.enums import QuestionKind
from applications.models import Application, CustomQuestion
from audit.enums import AuditAction
from audit.models import AuditEvent
from probation.models import CheckItem, Leader
from recruitment import calendar_rules, copying, services
from recruitment.models import BasicCheckMonth, Campaign
from recruitment.timeutils import beijing
from reviews.models import ChecklistItem, CommitteeMember, RiskRule, RubricCriterion
from reviews.publication import publication_blockers
from reviews.roles import CAMPAIGN_ADMIN
from tests.factories import ApplicationFactory, CustomQuestionFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import judge_of, staff_with_role

pytestmark = pytest.mark.django_db


# --- Shifting by whole months -----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "months", "expected"), [
    (beijing(2024, 4, 1), 12, beijing(2025, 4, 1)),  # the 1st at 00:00:00 stays the 1st
    (beijing(2024, 4, 25, 23, 59, 59), 12, beijing(2025, 4, 25, 23, 59, 59)),
    (beijing(2024, 5, 31, 23, 59, 59), 1, beijing(2024, 6, 30, 23, 59, 59)),  # a month end stays a month end
    (beijing(2024, 6, 30, 23, 59, 59), 1, beijing(2024, 7, 31, 23, 59, 59)),
    (beijing(2024, 1, 31, 23, 59, 59), 1, beijing(2024, 2, 29, 23, 59, 59)),  # February of a leap year
    (beijing(2025, 1, 31, 23, 59, 59), 1, beijing(2025, 2, 28, 23, 59, 59)),
    (beijing(2024, 2, 29, 23, 59, 59), 12, beijing(2025, 2, 28, 23, 59, 59)),
    (beijing(2023, 2, 28, 23, 59, 59), 12, beijing(2024, 2, 29, 23, 59, 59)),  # Feb's end → the leap Feb's end
    (beijing(2024, 2, 29, 23, 59, 59), 1, beijing(2024, 3, 31, 23, 59, 59)),
    (beijing(2024, 3, 31, 10), 1, beijing(2024, 4, 30, 10)),  # past a shorter month's end: clamped
    (beijing(2024, 1, 30, 10), 1, beijing(2024, 2, 29, 10)),
    (beijing(2024, 4, 30, 12), 1, beijing(2024, 5, 30, 12)),  # the last day at noon is no month end
    (beijing(2024, 11, 15, 8, 30, 5), 3, beijing(2025, 2, 15, 8, 30, 5)),  # across the year
    (beijing(2024, 5, 20, 20), 12, beijing(2025, 5, 20, 20)),  # the 2024 618 window
    (beijing(2024, 6, 20, 23, 59, 59), 12, beijing(2025, 6, 20, 23, 59, 59)),
    # An instant stored in UTC is read in Beijing time: 15:59:59 UTC on 05-31 is the month's last second.
    (datetime(2024, 5, 31, 15, 59, 59, tzinfo=UTC), 1, beijing(2024, 6, 30, 23, 59, 59)),
])
def test_shift_months_moves_an_instant(value, months, expected):
    shifted = copying.shift_months(value, months)

    assert shifted == expected
    assert shifted.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize(("value", "period_end", "expected"), [
    (date(2024, 5, 1), False, date(2024, 6, 1)),
    (date(2024, 4, 30), True, date(2024, 5, 31)),  # a period ending with its month ends with the next
    (date(2024, 4, 30), False, date(2024, 5, 30)),  # a start keeps its day
    (date(2024, 1, 31), False, date(2024, 2, 29)),
    (date(2024, 1, 31), True, date(2024, 2, 29)),
    (date(2024, 8, 31), True, date(2024, 9, 30)),
])
def test_shift_months_moves_a_date_by_one_month(value, period_end, expected):
    assert copying.shift_months(value, 1, period_end=period_end) == expected


def test_the_2024_calendar_moved_by_twelve_months(campaign):
    assert copying.shifted_calendar(campaign, 12) == {
        "application_opens_at": beijing(2025, 4, 1),
        "application_closes_at": beijing(2025, 4, 25, 23, 59, 59),
        "review_starts_on": date(2025, 4, 22),
        "review_ends_on": date(2025, 4, 29),
        "filing_deadline": beijing(2025, 4, 27, 23, 59, 59),
        "results_published_at": beijing(2025, 5, 6),
        "probation_starts_on": date(2025, 5, 1),
        "probation_ends_on": date(2025, 8, 31),
        "activity_starts_at": beijing(2025, 5, 10),
        "activity_ends_at": beijing(2025, 6, 20, 23, 59, 59),
        "window_618_starts_at": beijing(2025, 5, 20, 20),
        "window_618_ends_at": beijing(2025, 6, 20, 23, 59, 59),
        "checkpoint_ends_at": beijing(2025, 5, 31, 23, 59, 59),
        "final_result_at": beijing(2025, 9, 1),
    }


def test_the_2024_calendar_moved_by_one_month_keeps_its_natural_months(campaign):
    shifted = copying.shifted_calendar(campaign, 1)

    assert (shifted["probation_starts_on"], shifted["probation_ends_on"]) == (date(2024, 6, 1), date(2024, 9, 30))
    assert shifted["checkpoint_ends_at"] == beijing(2024, 6, 30, 23, 59, 59)
    assert copying.shifted_months(campaign, 1) == [
        (date(2024, 5, 1), date(2024, 6, 1)),
        (date(2024, 6, 1), date(2024, 7, 1)),
        (date(2024, 7, 1), date(2024, 8, 1)),
    ]


# --- What a copy takes along --------------------------------------------------------------------------------


@pytest.fixture
def campaign_admin():
    return staff_with_role(CAMPAIGN_ADMIN, username="campaign-admin")


def copy_2025(source, actor, **kwargs):
    return copying.copy_campaign(source, name="纳新 3.0（2025）", slug="2025-nx3", months=12, actor=actor, **kwargs)


def test_copy_takes_settings_months_checklist_rules_and_rubric_but_no_applicant_data(campaign, campaign_admin):
    ApplicationFactory(campaign=campaign)
    LeaderFactory(campaign=campaign)
    judge_of(campaign)
    campaign.basic_months.filter(month=date(2024, 6, 1)).update(min_gmv=Decimal("15000.00"), min_items=12)
    first_rule = RiskRule.objects.filter(campaign=campaign).order_by("id").first()
    RiskRule.objects.filter(pk=first_rule.pk).update(enabled=False)
    source_counts = (campaign.checklist_items.count(), campaign.risk_rules.count(), campaign.rubric.count())

    result = copy_2025(campaign, campaign_admin)

    new = result.campaign
    assert result.copied == {"basic_months": 3, "checklist_items": source_counts[0], "risk_rules": source_counts[1],
                             "rubric": source_counts[2], "custom_questions": 0,
                             "check_items": 0}
    assert source_counts == (5, 7, 5)
    assert (new.name, new.slug, new.is_current, new.published_at) == ("纳新 3.0（2025）", "2025-nx3", False, None)
    assert (new.data_complete_until, new.decided_until, new.verdicts_compared_at) == (None, None, None)
    for field in copying.COPIED_FIELDS:
        assert getattr(new, field) == getattr(campaign, field), field
    assert list(BasicCheckMonth.objects.filter(campaign=new).values_list(
        "month", "min_activities", "min_merchants", "min_items", "min_gmv")) == [
        (date(2025, 5, 1), 1, 3, 10, Decimal("10000.00")),
        (date(2025, 6, 1), 1, 3, 12, Decimal("15000.00")),
        (date(2025, 7, 1), 1, 3, 10, Decimal("10000.00")),
    ]
    assert list(ChecklistItem.objects.filter(campaign=new).values_list("text", "position")) == list(
        campaign.checklist_items.values_list("text", "position"))
    rules = RiskRule.objects.filter(campaign=new).order_by("id")
    copied_rules = list(rules.values_list("code", "enabled", "parameter"))
    assert copied_rules == list(campaign.risk_rules.order_by("id").values_list("code", "enabled", "parameter"))
    assert copied_rules[0][1] is False
    assert list(RubricCriterion.objects.filter(campaign=new).values_list(
        "name", "description", "weight", "max_score", "position")) == list(
        campaign.rubric.values_list("name", "description", "weight", "max_score", "position"))
    assert Application.objects.filter(campaign=new).count() == 0
    assert Leader.objects.filter(campaign=new).count() == 0
    assert CommitteeMember.objects.filter(campaign=new).count() == 0
    # The source keeps everything.
    assert (Application.objects.filter(campaign=campaign).count(), Leader.objects.filter(campaign=campaign).count(),
            campaign.basic_months.count(), CommitteeMember.objects.filter(campaign=campaign).count()) == (1, 1, 3, 1)
    campaign.refresh_from_db()
    assert (campaign.is_current, campaign.slug) == (True, "2024-nx2")


def test_copy_is_audited_with_what_it_copied(campaign, campaign_admin):
    new = copy_2025(campaign, campaign_admin).campaign

    event = AuditEvent.objects.get(action=AuditAction.COPY_CAMPAIGN)
    assert (event.actor, event.campaign, event.object_id) == (campaign_admin, new, str(new.pk))
    assert event.details == {"source": "2024-nx2", "months": 12, "basic_months": 3, "checklist_items": 5,
                             "risk_rules": 7, "rubric": 5, "custom_questions": 0,
                             "check_items": 0}


def test_copy_takes_the_hand_set_windows(campaign, campaign_admin):
    dates = {
        "activity_starts_at": beijing(2025, 5, 12), "activity_ends_at": beijing(2025, 6, 22, 23, 59, 59),
        "window_618_starts_at": beijing(2025, 5, 13, 20), "window_618_ends_at": beijing(2025, 6, 18, 23, 59, 59),
    }

    new = copy_2025(campaign, campaign_admin, dates=dates).campaign

    new.refresh_from_db()
    assert {name: getattr(new, name) for name in dates} == dates
    assert new.application_opens_at == beijing(2025, 4, 1)


def test_the_2024_campaign_copied_to_2025_is_ready_to_open_and_publish(campaign, campaign_admin):
    new = copy_2025(campaign, campaign_admin).campaign
    new.name, new.slug = "纳新 3.0", "2025-nx3-final"  # names edited, nothing else

    new.full_clean()  # the admin's checks, the calendar rules among them
    assert calendar_rules.campaign_errors(new) == {}
    assert [calendar_rules.basic_month_error(new, row.month) for row in new.basic_months.all()] == [None] * 3
    new.save()
    services.make_current(new, actor=campaign_admin)
    assert Campaign.objects.current() == new
    assert publication_blockers(new, now=beijing(2025, 5, 6)) == []


def test_copy_refused_by_the_calendar_rules_writes_nothing(campaign, campaign_admin):
    before = (Campaign.objects.count(), BasicCheckMonth.objects.count(), RiskRule.objects.count(),
              AuditEvent.objects.count())

    with pytest.raises(ValidationError) as error:
        copy_2025(campaign, campaign_admin, dates={"window_618_ends_at": beijing(2025, 6, 21)})

    assert error.value.message_dict == {
        "window_618_ends_at": ["618 窗口的结束时间不能晚于拓客先锋活动结束时间（2025-06-20 23:59:59）。"]}
    assert (Campaign.objects.count(), BasicCheckMonth.objects.count(), RiskRule.objects.count(),
            AuditEvent.objects.count()) == before


def test_copy_refuses_months_outside_the_probation_typed(campaign, campaign_admin):
    with pytest.raises(ValidationError) as error:
        copy_2025(campaign, campaign_admin, dates={"probation_starts_on": date(2025, 6, 1)})

    assert error.value.message_dict == {
        "basic_months": ["2025-05: 该考核月份必须整月落在试用期内（2025-06-01 至 2025-08-31）。"]}
    assert not Campaign.objects.filter(slug="2025-nx3").exists()


def test_a_copier_label_is_registered_once():
    with pytest.raises(ValueError):
        copying.register_copier("reviews", lambda source, target: {})


def test_copy_takes_the_custom_questions_with_their_conditions_on_the_copies_and_no_answer(campaign, campaign_admin):
    asks = CustomQuestionFactory(campaign=campaign, section="risk", label="近一年是否有违规记录",
                                 kind=QuestionKind.YES_NO, required=True, position=1)
    CustomQuestionFactory(campaign=campaign, section="risk", label="违规说明", kind=QuestionKind.LONG_TEXT,
                          help_text="写明时间与处理结果", condition_question=asks, condition_value="yes", position=2)
    CustomQuestionFactory(campaign=campaign, section="", new_section_title="年度规划", label="年度目标", position=1)
    ApplicationFactory(campaign=campaign, custom_answers={str(asks.pk): {"label": asks.label, "value": "no"}})

    result = copy_2025(campaign, campaign_admin)

    new = result.campaign
    assert result.copied["custom_questions"] == 3
    copies = {q.label: q for q in CustomQuestion.objects.filter(campaign=new)}
    assert sorted((q.section, q.new_section_title, q.label, q.help_text, q.kind, q.required, q.condition_value,
                   q.position) for q in copies.values()) == [
        ("", "年度规划", "年度目标", "", QuestionKind.SHORT_TEXT, False, "", 1),
        ("risk", "", "近一年是否有违规记录", "", QuestionKind.YES_NO, True, "", 1),
        ("risk", "", "违规说明", "写明时间与处理结果", QuestionKind.LONG_TEXT, False, "yes", 2),
    ]
    assert copies["违规说明"].condition_question == copies["近一年是否有违规记录"]
    assert copies["近一年是否有违规记录"].pk != asks.pk
    assert Application.objects.filter(campaign=new).count() == 0
    assert CustomQuestion.objects.filter(campaign=campaign).count() == 3


def test_copy_takes_the_check_items_with_their_window_and_due_time_moved_by_whole_months(campaign, campaign_admin):
    CheckItem.objects.create(campaign=campaign, code="extra:july", name="七月推广活动", measure="activities",
                             threshold=Decimal("2"), starts_at=beijing(2024, 7, 1),
                             ends_at=beijing(2024, 7, 31, 23, 59, 59), due_at=beijing(2024, 8, 1))
    CheckItem.objects.create(campaign=campaign, code="extra:gmv", name="六月下半月 GMV", measure="gmv",
                             threshold=Decimal("5000.00"), starts_at=beijing(2024, 6, 16),
                             ends_at=beijing(2024, 6, 30, 23, 59, 59), due_at=beijing(2024, 7, 2, 10))

    result = copy_2025(campaign, campaign_admin)

    assert result.copied["check_items"] == 2
    assert list(CheckItem.objects.filter(campaign=result.campaign).order_by("due_at").values_list(
        "code", "name", "measure", "threshold", "starts_at", "ends_at", "due_at")) == [
        ("extra:gmv", "六月下半月 GMV", "gmv", Decimal("5000.00"), beijing(2025, 6, 16),
         beijing(2025, 6, 30, 23, 59, 59), beijing(2025, 7, 2, 10)),
        ("extra:july", "七月推广活动", "activities", Decimal("2"), beijing(2025, 7, 1),
         beijing(2025, 7, 31, 23, 59, 59), beijing(2025, 8, 1)),
    ]
    assert CheckItem.objects.filter(campaign=campaign).count() == 2
