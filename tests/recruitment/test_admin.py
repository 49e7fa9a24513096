from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import models
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicationStatus, PendingDecision
from recruitment import services
from recruitment.models import Campaign
from recruitment.timeutils import beijing, local
from reviews.roles import CAMPAIGN_ADMIN
from tests.factories import CampaignFactory, UserFactory
from tests.reviews.factories import FinalReviewApplicationFactory, staff_with_role

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:recruitment_campaign_changelist"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def next_campaign(db):
    return CampaignFactory(
        slug="2025-nx3",
        name="纳新 3.0（2025）",
        is_current=False,
        seats=30,
        application_opens_at=beijing(2025, 4, 1),
        application_closes_at=beijing(2025, 4, 25, 23, 59, 59),
    )


def form_data(campaign, **overrides):
    """The campaign change form as the admin posts it (split date/time widgets, the months inline)."""
    data = {}
    for field in Campaign._meta.concrete_fields:
        if not field.editable or field.primary_key or field.name == "is_current":
            continue
        value = getattr(campaign, field.name)
        if isinstance(field, models.DateTimeField):
            value = local(value)
            data[f"{field.name}_0"], data[f"{field.name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        else:
            data[field.name] = "" if value is None else str(value)
    months = list(campaign.basic_months.all())
    data.update(
        {
            "basic_months-TOTAL_FORMS": str(len(months)),
            "basic_months-INITIAL_FORMS": str(len(months)),
            "basic_months-MIN_NUM_FORMS": "0",
            "basic_months-MAX_NUM_FORMS": "1000",
        }
    )
    for i, month in enumerate(months):
        data.update(
            {
                f"basic_months-{i}-id": str(month.pk),
                f"basic_months-{i}-campaign": str(campaign.pk),
                f"basic_months-{i}-month": f"{month.month:%Y-%m-%d}",
                f"basic_months-{i}-min_activities": str(month.min_activities),
                f"basic_months-{i}-min_merchants": str(month.min_merchants),
                f"basic_months-{i}-min_items": str(month.min_items),
                f"basic_months-{i}-min_gmv": str(month.min_gmv),
            }
        )
    data.update(overrides)
    return data


# --- Changelist and change page ----------------------------------------------------------------------


def test_changelist_shows_window_state_and_seats(admin_client, campaign, next_campaign):
    with time_machine.travel(beijing(2024, 4, 25, 23, 59, 59), tick=False):
        response = admin_client.get(reverse(CHANGELIST))

    assert list(response.context["cl"].result_list) == [next_campaign, campaign]
    assertContains(response, '<td class="field-window_state_display">进行中</td>', count=1, html=True)
    assertContains(response, '<td class="field-window_state_display">未开始</td>', count=1, html=True)
    assertContains(response, '<td class="field-seats">50</td>', html=True)
    assertContains(response, '<td class="field-seats">30</td>', html=True)


def test_changelist_shows_closed_after_the_last_second(admin_client, campaign):
    with time_machine.travel(beijing(2024, 4, 26), tick=False):
        response = admin_client.get(reverse(CHANGELIST))

    assertContains(response, '<td class="field-window_state_display">已截止</td>', count=1, html=True)


def test_change_page_groups_fields_by_topic_with_the_monthly_thresholds(admin_client, campaign):
    response = admin_client.get(reverse("admin:recruitment_campaign_change", args=[campaign.pk]))

    assert [fieldset.name for fieldset in response.context["adminform"]] == [
        "招募活动",
        "报名窗口与审核日程",
        "系统备案",
        "名额",
        "试用期、拓客先锋活动与 618 窗口",
        "纳新专项考核",
        "试用期数据与提醒",
        "问卷限制",
    ]
    months = response.context["inline_admin_formsets"][0].formset
    assert [form.instance.code for form in months] == ["basic:2024-05", "basic:2024-06", "basic:2024-07"]
    # The current flag is switched by the action only, the data mark on the board: never typed in the form.
    assertNotContains(response, 'name="is_current"')
    assertNotContains(response, 'name="data_complete_until')
    assertContains(response, 'name="data_wait_reminder_days"')


def test_change_page_saves_a_valid_edit(admin_client, campaign):
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])

    response = admin_client.post(url, form_data(campaign, seats="45", **{"basic_months-1-min_gmv": "20000"}))

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.seats == 45
    assert [str(m.min_gmv) for m in campaign.basic_months.all()] == ["10000.00", "20000.00", "10000.00"]
    assert campaign.is_current is True


def test_change_page_shows_model_validation_as_form_errors(admin_client, campaign):
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])

    response = admin_client.post(
        url, form_data(campaign, application_closes_at_0="2024-03-01", application_closes_at_1="00:00:00")
    )

    campaign.refresh_from_db()
    with translation.override("zh-hans"):
        expected = [str(translation.gettext("Must be after the opening time."))]
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"application_closes_at": expected}
    assert campaign.application_closes_at == beijing(2024, 4, 25, 23, 59, 59)


def test_month_threshold_must_start_on_the_first_day(admin_client, campaign):
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])

    response = admin_client.post(url, form_data(campaign, **{"basic_months-0-month": "2024-05-15"}))

    formset = response.context["inline_admin_formsets"][0].formset
    assert response.status_code == 200
    assert formset.errors[0] == {"month": ["请填写该月的第一天。"]}
    assert [m.month for m in campaign.basic_months.all()] == [date(2024, 5, 1), date(2024, 6, 1), date(2024, 7, 1)]


# --- The calendar holds together (recruitment.calendar_rules) ------------------------------------------


def post_final_result(client, campaign, time):
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])
    return client.post(url, form_data(campaign, final_result_at_0="2024-06-20", final_result_at_1=time))


def test_change_page_saves_a_final_result_at_the_activity_end(admin_client, campaign):
    response = post_final_result(admin_client, campaign, "23:59:59")

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.final_result_at == beijing(2024, 6, 20, 23, 59, 59)


def test_change_page_refuses_a_final_result_a_second_before_the_activity_end_on_its_field(admin_client, campaign):
    response = post_final_result(admin_client, campaign, "23:59:58")

    campaign.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "final_result_at": ["专项考核最终结果时间不能早于拓客先锋活动结束时间（2024-06-20 23:59:59）。"]
    }
    assert campaign.final_result_at == beijing(2024, 9, 1)


def test_probation_ending_on_the_last_day_of_the_last_month_is_saved(admin_client, campaign):
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])

    response = admin_client.post(url, form_data(campaign, probation_ends_on="2024-07-31"))

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.probation_ends_on == date(2024, 7, 31)


def test_a_month_outside_the_probation_as_typed_is_an_error_on_that_month(admin_client, campaign):
    """The months are checked against the probation dates of the same form, not the saved ones."""
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])

    response = admin_client.post(url, form_data(campaign, probation_ends_on="2024-07-30"))

    campaign.refresh_from_db()
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors == [
        {}, {}, {"month": ["该考核月份必须整月落在试用期内（2024-05-01 至 2024-07-30）。"]}
    ]
    assert campaign.probation_ends_on == date(2024, 8, 31)


def test_a_new_month_outside_the_probation_is_refused(admin_client, campaign):
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])
    data = form_data(campaign, **{"basic_months-TOTAL_FORMS": "4", "basic_months-3-month": "2024-09-01",
                                  "basic_months-3-min_activities": "1", "basic_months-3-min_merchants": "3",
                                  "basic_months-3-min_items": "10", "basic_months-3-min_gmv": "10000"})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[3] == {
        "month": ["该考核月份必须整月落在试用期内（2024-05-01 至 2024-08-31）。"]
    }
    assert campaign.basic_months.count() == 3


# --- Seats ----------------------------------------------------------------------------------------


@pytest.fixture
def three_selected(campaign):
    """Two pending selections and one published selection in the campaign, one undecided finalist."""
    FinalReviewApplicationFactory.create_batch(2, campaign=campaign, pending_decision=PendingDecision.SELECTED)
    FinalReviewApplicationFactory(campaign=campaign, status=ApplicationStatus.SELECTED)
    FinalReviewApplicationFactory(campaign=campaign)
    return campaign


def test_seats_lowered_to_the_selected_count_are_saved(client, three_selected):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))
    url = reverse("admin:recruitment_campaign_change", args=[three_selected.pk])

    response = client.post(url, form_data(three_selected, seats="3"))

    three_selected.refresh_from_db()
    assert response.status_code == 302
    assert three_selected.seats == 3


def test_seats_lowered_below_the_selected_count_are_refused_with_the_count(client, three_selected):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))
    url = reverse("admin:recruitment_campaign_change", args=[three_selected.pk])
    summary = three_selected.summary

    response = client.post(url, form_data(three_selected, seats="2", summary="新的简介"))

    three_selected.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "seats": ["已有 3 份申请被择优通过（含已公示的），名额不能少于 3 个。"]
    }
    assert (three_selected.seats, three_selected.summary) == (50, summary)


def test_seats_unchanged_are_not_rechecked(admin_client, campaign):
    """Only a change of the seats is checked: editing the calendar of a full campaign stays possible."""
    campaign.seats = 1
    campaign.save()
    FinalReviewApplicationFactory.create_batch(2, campaign=campaign, status=ApplicationStatus.SELECTED)
    url = reverse("admin:recruitment_campaign_change", args=[campaign.pk])

    response = admin_client.post(url, form_data(campaign, summary="日程微调"))

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert (campaign.seats, campaign.summary) == (1, "日程微调")


# --- Make current ---------------------------------------------------------------------------------


def test_make_current_unsets_the_previous_campaign(campaign, next_campaign):
    admin_user = UserFactory(is_staff=True, is_superuser=True)

    previous = services.make_current(next_campaign, actor=admin_user)

    assert previous == campaign
    assert list(Campaign.objects.filter(is_current=True)) == [next_campaign]
    assert Campaign.objects.current() == next_campaign


def test_make_current_twice_keeps_exactly_one_current(campaign, next_campaign):
    services.make_current(next_campaign)
    previous = services.make_current(next_campaign)

    assert previous is None
    assert list(Campaign.objects.filter(is_current=True).values_list("slug", flat=True)) == ["2025-nx3"]


def test_make_current_action_switches_the_current_campaign(admin_client, campaign, next_campaign):
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "make_current", "_selected_action": [next_campaign.pk]}, follow=True
    )

    assert list(Campaign.objects.filter(is_current=True)) == [next_campaign]
    assert [str(m) for m in response.context["messages"]] == ["“纳新 3.0（2025）”现在是当前活动。"]


def test_make_current_action_refuses_two_campaigns(admin_client, campaign, next_campaign):
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "make_current", "_selected_action": [campaign.pk, next_campaign.pk]},
        follow=True,
    )

    assert list(Campaign.objects.filter(is_current=True)) == [campaign]
    assert [str(m) for m in response.context["messages"]] == ["请只选择一个活动设为当前活动。"]


def test_make_current_action_needs_the_change_permission(client, campaign, next_campaign):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_campaign"))
    client.force_login(viewer)

    listing = client.get(reverse(CHANGELIST))
    response = client.post(reverse(CHANGELIST), {"action": "make_current", "_selected_action": [next_campaign.pk]})

    assert list(listing.context["cl"].result_list) == [next_campaign, campaign]
    assert listing.context["action_form"] is None
    assert response.status_code == 200
    assert list(Campaign.objects.filter(is_current=True)) == [campaign]


def test_staff_without_permission_gets_403_and_others_the_login(client, campaign):
    client.force_login(UserFactory(is_staff=False))
    anonymous_like = client.get(reverse(CHANGELIST))
    client.force_login(UserFactory(is_staff=True))
    staff_response = client.get(reverse(CHANGELIST))

    assert anonymous_like["Location"] == f"{reverse('admin:login')}?next={reverse(CHANGELIST)}"
    assert staff_response.status_code == 403

