"""The campaign calendar must hold together (recruitment.calendar_rules, Campaign.clean): each rule on both
sides of its boundary, to the second, on the 2024 campaign (whose own calendar holds)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from recruitment import calendar_rules
from recruitment.models import Campaign
from recruitment.timeutils import beijing

pytestmark = pytest.mark.django_db


@pytest.fixture
def nx2(db):
    return Campaign.objects.get(slug="2024-nx2")


def errors_of(campaign):
    try:
        campaign.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def test_the_2024_calendar_holds(nx2):
    assert errors_of(nx2) == {}
    assert [calendar_rules.basic_month_error(nx2, m.month) for m in nx2.basic_months.all()] == [None, None, None]


# (field, the last valid value, the first invalid value one second or one day past it, the message)
BOUNDARIES = [
    ("results_published_at", beijing(2024, 4, 26, 0, 0, 0), beijing(2024, 4, 25, 23, 59, 59),
     "结果公示时间必须晚于报名截止时间（2024-04-25 23:59:59）。"),
    ("checkpoint_ends_at", beijing(2024, 6, 20, 23, 59, 59), beijing(2024, 6, 21, 0, 0, 0),
     "节点考核截止时间不能晚于拓客先锋活动结束时间（2024-06-20 23:59:59）。"),
    ("final_result_at", beijing(2024, 6, 20, 23, 59, 59), beijing(2024, 6, 20, 23, 59, 58),
     "专项考核最终结果时间不能早于拓客先锋活动结束时间（2024-06-20 23:59:59）。"),
    ("window_618_starts_at", beijing(2024, 5, 10, 0, 0, 0), beijing(2024, 5, 9, 23, 59, 59),
     "618 窗口的开始时间不能早于拓客先锋活动开始时间（2024-05-10 00:00:00）。"),
    ("window_618_ends_at", beijing(2024, 6, 20, 23, 59, 59), beijing(2024, 6, 21, 0, 0, 0),
     "618 窗口的结束时间不能晚于拓客先锋活动结束时间（2024-06-20 23:59:59）。"),
    ("window_618_ends_at", beijing(2024, 5, 20, 20, 0, 1), beijing(2024, 5, 20, 20, 0, 0),
     "618 窗口的结束时间必须晚于其开始时间（2024-05-20 20:00:00）。"),
    ("review_ends_on", date(2024, 4, 22), date(2024, 4, 21), "审核结束日期不能早于审核开始日期（2024-04-22）。"),
]


@pytest.mark.parametrize(("field", "valid", "invalid", "message"), BOUNDARIES)
def test_each_rule_on_both_sides_of_its_boundary(nx2, field, valid, invalid, message):
    if field == "results_published_at":  # the filing deadline (04-27) must stay before the moved results date
        nx2.filing_deadline = beijing(2024, 4, 22, 12)
    setattr(nx2, field, valid)
    accepted = errors_of(nx2)
    setattr(nx2, field, invalid)
    refused = errors_of(nx2)

    assert (accepted, refused) == ({}, {field: [message]})


def test_a_checkpoint_before_the_activity_start_is_still_refused(nx2):
    nx2.checkpoint_ends_at = beijing(2024, 5, 9, 23, 59, 59)

    assert errors_of(nx2) == {"checkpoint_ends_at": ["不能早于活动开始时间。"]}


def test_a_618_window_wider_than_the_activity_is_refused_at_both_ends(nx2):
    nx2.window_618_starts_at = beijing(2024, 5, 1)
    nx2.window_618_ends_at = beijing(2024, 6, 30, 23, 59, 59)

    assert errors_of(nx2) == {
        "window_618_starts_at": ["618 窗口的开始时间不能早于拓客先锋活动开始时间（2024-05-10 00:00:00）。"],
        "window_618_ends_at": ["618 窗口的结束时间不能晚于拓客先锋活动结束时间（2024-06-20 23:59:59）。"],
    }


def test_a_rule_with_an_empty_date_is_left_to_the_form(nx2):
    nx2.activity_ends_at = None

    assert calendar_rules.campaign_errors(nx2) == {}


# --- The filing deadline: inside the review period (review start 2024-04-22, results 2024-05-06 00:00:00) ---

FILING_MESSAGE = "备案截止时间必须在审核期内：不早于 2024-04-22 00:00:00，且早于结果公示时间（2024-05-06 00:00:00）。"


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (beijing(2024, 4, 21, 23, 59, 59), FILING_MESSAGE),
        (beijing(2024, 4, 22, 0, 0, 0), None),
        (beijing(2024, 5, 5, 23, 59, 59), None),
        (beijing(2024, 5, 6, 0, 0, 0), FILING_MESSAGE),
        (date(2024, 4, 21), FILING_MESSAGE),  # a date means its last second
        (date(2024, 4, 22), None),
        (date(2024, 5, 5), None),
        (date(2024, 5, 6), FILING_MESSAGE),
    ],
)
def test_filing_deadline_inside_the_review_period(nx2, deadline, expected):
    assert calendar_rules.filing_deadline_error(nx2, deadline) == expected


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [(beijing(2024, 5, 5, 23, 59, 59), {}), (beijing(2024, 5, 6, 0, 0, 0), {"filing_deadline": [FILING_MESSAGE]})],
)
def test_clean_checks_the_campaigns_filing_deadline_when_it_has_one(nx2, deadline, expected):
    nx2.filing_deadline = deadline

    assert errors_of(nx2) == expected


# --- Basic months: the whole natural month inside the probation (2024-05-01 – 2024-08-31) ---

MONTH_MESSAGE = "该考核月份必须整月落在试用期内（2024-05-01 至 2024-08-31）。"


@pytest.mark.parametrize(
    ("month", "expected"),
    [(date(2024, 4, 1), MONTH_MESSAGE), (date(2024, 5, 1), None), (date(2024, 8, 1), None),
     (date(2024, 9, 1), MONTH_MESSAGE)],
)
def test_basic_month_inside_the_probation(nx2, month, expected):
    assert calendar_rules.basic_month_error(nx2, month) == expected


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        (date(2024, 5, 1), date(2024, 7, 31), None),
        (date(2024, 5, 1), date(2024, 7, 30), "该考核月份必须整月落在试用期内（2024-05-01 至 2024-07-30）。"),
        (date(2024, 7, 1), date(2024, 8, 31), None),
        (date(2024, 7, 2), date(2024, 8, 31), "该考核月份必须整月落在试用期内（2024-07-02 至 2024-08-31）。"),
    ],
)
def test_basic_month_boundaries_to_the_day(nx2, starts, ends, expected):
    nx2.probation_starts_on, nx2.probation_ends_on = starts, ends

    assert calendar_rules.basic_month_error(nx2, date(2024, 7, 1)) == expected
