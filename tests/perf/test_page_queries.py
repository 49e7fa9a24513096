"""The three benchmarked pages run a fixed number of queries however much data there is (bench "pages")."""

import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Channel, Notification
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import CampaignFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 302)
    return len(queries)


def add_notifications(user, application, count):
    start = Notification.objects.count()
    Notification.objects.bulk_create(
        Notification(recipient=user, application=application, event=f"perf:{start + i}", channel=Channel.IN_APP,
                     subject="s", body="b")
        for i in range(count)
    )


def add_status_changes(application, count):
    for _ in range(count):
        StatusChangeFactory(application=application, actor=application.applicant)


def test_home_queries_do_not_grow_with_campaigns(client, campaign, applicant, inside_window):
    client.force_login(applicant)
    few = queries_of(client, reverse("home"))
    for number in range(20):
        CampaignFactory(slug=f"perf-{number}", is_current=False)

    assert queries_of(client, reverse("home")) == few
    assert few == 4  # session, user, current campaign, its basic-check months


def test_apply_of_a_submitted_application_queries_do_not_grow(client, submitted, applicant, inside_window):
    client.force_login(applicant)
    few = queries_of(client, reverse("applications:apply"))
    add_status_changes(submitted, 30)
    add_notifications(applicant, submitted, 50)

    assert queries_of(client, reverse("applications:apply")) == few
    assert few == 3  # session, user, the application joined with its (current) campaign


def test_status_queries_do_not_grow_with_notifications_and_history(client, submitted, applicant, inside_window):
    client.force_login(applicant)
    add_notifications(applicant, submitted, 1)
    few = queries_of(client, reverse("applications:status"))
    add_notifications(applicant, submitted, 50)
    add_status_changes(submitted, 30)

    assert queries_of(client, reverse("applications:status")) == few
    # session, user, the application joined with its (current) campaign, timeline, notifications
    assert few == 5


def seats_shown(response):
    return re.findall(r'<dd class="accent">(.*?)</dd>', response.content.decode())


def calendar_states(response):
    return re.findall(r'<li class="(past|now|future)">', response.content.decode())


def test_home_cached_part_follows_a_campaign_change_made_without_save(client, campaign, inside_window):
    before = seats_shown(client.get(reverse("home")))
    Campaign.objects.filter(pk=campaign.pk).update(seats=57)  # no save(): updated_at is unchanged

    after = seats_shown(client.get(reverse("home")))

    assert (before, after) == (["共 50 个"], ["共 57 个"])


def test_home_cached_calendar_follows_the_clock_and_the_language(client, campaign):
    with time_machine.travel(beijing(2024, 4, 25, 23, 59, 59), tick=False):
        open_ = client.get(reverse("home"))
    with time_machine.travel(beijing(2024, 4, 26, 0, 0, 0), tick=False):
        closed = client.get(reverse("home"))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("home"))

    # The window (to 04-25 23:59:59) then the review (04-22 to 04-29), then five future entries.
    assert calendar_states(open_) == ["now", "now", "future", "future", "future", "future", "future"]
    assert calendar_states(closed) == ["past", "now", "future", "future", "future", "future", "future"]
    assert calendar_states(english) == calendar_states(closed)
    assert seats_shown(closed) == ["共 50 个"]
    assert seats_shown(english) == ["50 seats"]


def test_status_without_an_application_in_the_current_campaign_asks_for_the_campaign(client, applicant, campaign):
    client.force_login(applicant)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("applications:status"))

    assert response.status_code == 200
    assert (response.context["campaign"], response.context["application"]) == (campaign, None)
    # session, user, the user's applications (none), current campaign, notifications
    assert len(queries) == 5
