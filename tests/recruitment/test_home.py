import pytest
import time_machine
from django.urls import reverse

from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def apply_url():
    return reverse("applications:apply")


def get_home(client, moment):
    with time_machine.travel(moment, tick=False):
        return client.get(reverse("home"))


def countdown_of(response):
    countdown = response.context["countdown"]
    return countdown and countdown.remaining_seconds


def test_home_just_before_opening_says_not_started_with_the_opening_time(client, campaign):
    response = get_home(client, beijing(2024, 3, 31, 23, 59, 59))

    content = response.content.decode()
    assert response.context["window_state"] == "upcoming"
    assert countdown_of(response) == 1
    assert "报名尚未开始" in content
    assert "报名开始时间：北京时间 2024年4月1日" in content
    assert "立即报名" not in content


def test_home_at_the_opening_second_shows_the_apply_button(client, campaign):
    response = get_home(client, beijing(2024, 4, 1))

    content = response.content.decode()
    assert response.context["window_state"] == "open"
    assert countdown_of(response) == 25 * 86400
    assert 'data-remaining-seconds="2160000"' in content
    assert "立即报名" in content
    assert f'href="{reverse("accounts:signup")}?next={apply_url()}"' in content


def test_home_at_the_last_second_still_accepts_with_one_second_left(client, campaign):
    response = get_home(client, beijing(2024, 4, 25, 23, 59, 59))

    content = response.content.decode()
    countdown = response.context["countdown"]
    assert response.context["window_state"] == "open"
    assert (countdown.remaining_seconds, countdown.days, countdown.hours, countdown.minutes, countdown.seconds) == (
        1, 0, 0, 0, 1,
    )
    assert countdown.target.isoformat() == "2024-04-26T00:00:00+08:00"
    assert 'data-target="2024-04-26T00:00:00+08:00"' in content
    assert "报名进行中，截止时间：北京时间 2024年4月25日 23:59:59" in content
    assert "立即报名" in content


def test_home_after_the_deadline_says_closed_without_apply_button(client, campaign):
    response = get_home(client, beijing(2024, 4, 26))

    content = response.content.decode()
    assert response.context["window_state"] == "closed"
    assert response.context["countdown"] is None
    assert "报名已截止" in content
    assert "立即报名" not in content
    assert "data-countdown" not in content
    assert "countdown.js" not in content


def test_home_shows_days_and_hours_left_without_javascript(client, campaign):
    response = get_home(client, beijing(2024, 4, 20, 10, 30, 15))

    countdown = response.context["countdown"]
    assert (countdown.days, countdown.hours, countdown.minutes, countdown.seconds) == (5, 13, 29, 45)
    assert '<span class="num" data-unit="days">5</span>天' in response.content.decode()
    assert '<span class="num" data-unit="hours">13</span>小时' in response.content.decode()


def test_home_for_a_logged_in_applicant_links_straight_to_the_questionnaire(client, campaign):
    client.force_login(UserFactory())

    response = get_home(client, beijing(2024, 4, 10))

    content = response.content.decode()
    assert f'<a class="btn btn-primary btn-lg" href="{apply_url()}">立即报名</a>' in content
    assert f'href="{reverse("applications:status")}"' in content


def test_home_calendar_lists_every_campaign_date_in_beijing_time(client, campaign):
    response = get_home(client, beijing(2024, 4, 23, 12))

    calendar = [(e.label, e.start_text, e.end_text, e.state) for e in response.context["calendar"]]
    assert calendar == [
        ("报名阶段", "2024年4月1日", "2024年4月25日 23:59:59", "now"),
        ("官方审核（共三轮）", "2024年4月22日", "2024年4月29日", "now"),
        ("试用期", "2024年5月1日", "2024年8月31日", "future"),
        ("结果公示", "2024年5月6日", "", "future"),
        ("“拓客先锋”奖励活动", "2024年5月10日", "2024年6月20日 23:59:59", "future"),
        ("纳新专项考核：阶段考核", "2024年5月10日", "2024年5月31日 23:59:59", "future"),
        ("纳新专项考核：结果公布", "2024年9月1日", "", "future"),
    ]
    content = response.content.decode()
    assert "北京时间" in content
    assert "共 50 个" in content


def test_home_calendar_marks_past_entries(client, campaign):
    response = get_home(client, beijing(2024, 5, 7))

    states = {e.label: e.state for e in response.context["calendar"]}
    assert states["报名阶段"] == "past"
    assert states["结果公示"] == "past"
    assert states["试用期"] == "now"


def test_home_without_current_campaign_shows_a_friendly_message(client, campaign):
    Campaign.objects.update(is_current=False)

    response = client.get(reverse("home"))

    assert response.context["campaign"] is None
    assert "目前没有开放中的招募活动" in response.content.decode()


def test_home_reads_the_campaign_once(client, campaign, django_assert_num_queries):
    # The campaign, then its basic-check months (the facts the page states, recruitment.facts).
    with django_assert_num_queries(2), time_machine.travel(beijing(2024, 4, 10), tick=False):
        response = client.get(reverse("home"))

    assert response.context["campaign"] == campaign


def test_home_in_english_after_switching_language(client, campaign):
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = get_home(client, beijing(2024, 4, 10))

    content = response.content.decode()
    assert switched.url == "/"
    assert '<html lang="en">' in content
    assert "Applications are open until April 25, 2024 23:59:59 (Beijing time)." in content
    assert "Apply now" in content
    assert "立即报名" not in content


def test_home_for_a_logged_in_applicant_reads_the_campaign_once(client, campaign, django_assert_num_queries):
    client.force_login(UserFactory())

    with django_assert_num_queries(4), time_machine.travel(beijing(2024, 4, 10), tick=False):
        response = client.get(reverse("home"))  # session, user, campaign, its basic-check months

    assert response.context["campaign"] == campaign
