"""The campaign admin's 复制为新一轮 page (recruitment.admin_pages): the campaign admin only, GET never writes,
every date old → new before the confirming POST, and typed values kept on error."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import WorkspaceChoice
from audit.models import AuditEvent
from recruitment.models import BasicCheckMonth, Campaign
from recruitment.timeutils import beijing
from reviews import workspace
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import CampaignFactory, UserFactory
from tests.reviews.factories import staff_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign_admin():
    return staff_with_role(CAMPAIGN_ADMIN, username="campaign-admin")


def copy_url(campaign):
    return reverse("admin:recruitment_campaign_copy", args=[campaign.pk])


def written():
    return Campaign.objects.count(), BasicCheckMonth.objects.count(), AuditEvent.objects.count()


START = {"name": "纳新 3.0（2025）", "slug": "2025-nx3", "months": "12", "_preview": "1"}

CONFIRM_2025 = {
    "name": "纳新 3.0（2025）", "slug": "2025-nx3", "months": "12", "_confirm": "1",
    "application_opens_at": "2025-04-01 00:00:00", "application_closes_at": "2025-04-25 23:59:59",
    "review_starts_on": "2025-04-22", "review_ends_on": "2025-04-29", "filing_deadline": "2025-04-27 23:59:59",
    "results_published_at": "2025-05-06 00:00:00", "probation_starts_on": "2025-05-01",
    "probation_ends_on": "2025-08-31", "activity_starts_at": "2025-05-12 00:00:00",
    "activity_ends_at": "2025-06-22 23:59:59", "window_618_starts_at": "2025-05-13 20:00:00",
    "window_618_ends_at": "2025-06-18 23:59:59", "checkpoint_ends_at": "2025-05-31 23:59:59",
    "final_result_at": "2025-09-01 00:00:00",
}


def test_the_change_page_offers_the_copy_to_the_campaign_admin(client, campaign, campaign_admin):
    client.force_login(campaign_admin)

    content = client.get(reverse("admin:recruitment_campaign_change", args=[campaign.pk])).content.decode()

    assert f'<a href="{copy_url(campaign)}" id="campaign-copy-link">复制为新一轮</a>' in content
    # This round's own set-up, whatever campaign the header works on (a copy is not the header's campaign yet).
    assert (f'<a href="/admin/applications/customquestion/add/?campaign={campaign.pk}" '
            f'id="campaign-add-question">添加自定义问题</a>') in content
    assert (f'<a href="/admin/probation/checkitem/add/?campaign={campaign.pk}" '
            f'id="campaign-add-check-item">新增考核项</a>') in content


def test_the_set_up_links_open_the_add_forms_on_this_round(client, campaign, campaign_admin):
    other = CampaignFactory(slug="2025-nx3", is_current=False)
    client.force_login(campaign_admin)

    question = client.get(f"/admin/applications/customquestion/add/?campaign={other.pk}")
    item = client.get(f"/admin/probation/checkitem/add/?campaign={other.pk}")

    assert (question.context["adminform"].form.initial["campaign"],
            item.context["adminform"].form.initial["campaign"]) == (str(other.pk), str(other.pk))


def test_the_change_page_hides_the_copy_from_who_may_only_view_campaigns(client, campaign):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    client.force_login(viewer)

    response = client.get(reverse("admin:recruitment_campaign_change", args=[campaign.pk]))

    assert response.status_code == 200
    assert ("campaign-copy-link" in response.content.decode(), "campaign-add-question" in response.content.decode(),
            "campaign-add-check-item" in response.content.decode()) == (False, False, False)
    assert client.get(copy_url(campaign)).status_code == 403


@pytest.mark.parametrize("role", [ROUND1_REVIEWER, RISK_OFFICER, FINAL_COMMITTEE, OPERATIONS])
def test_other_roles_can_neither_open_nor_post_the_copy(client, campaign, role):
    client.force_login(staff_with_role(role))
    before = written()

    assert client.get(copy_url(campaign)).status_code == 403
    assert client.post(copy_url(campaign), START).status_code == 403
    assert client.post(copy_url(campaign), CONFIRM_2025).status_code == 403
    assert written() == before


def test_an_applicant_is_sent_to_the_admin_login(client, campaign):
    client.force_login(UserFactory())

    response = client.post(copy_url(campaign), CONFIRM_2025)

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert not Campaign.objects.filter(slug="2025-nx3").exists()


def test_get_shows_the_start_form_and_writes_nothing(client, campaign, campaign_admin):
    client.force_login(campaign_admin)
    before = written()

    response = client.get(copy_url(campaign))

    content = response.content.decode()
    assert response.status_code == 200
    assert f'name="name" value="{campaign.name}"' in content
    assert 'name="months" value="12"' in content
    assert 'name="_preview"' in content and 'name="_confirm"' not in content
    assert written() == before


def test_unknown_campaign_answers_404(client, campaign_admin):
    client.force_login(campaign_admin)

    assert client.get(reverse("admin:recruitment_campaign_copy", args=[99999])).status_code == 404


def test_the_preview_shows_every_date_old_and_new_and_writes_nothing(client, campaign, campaign_admin):
    client.force_login(campaign_admin)
    before = written()

    response = client.post(copy_url(campaign), START)

    content = response.content.decode()
    assert response.status_code == 200
    assert written() == before
    for name, value in [("application_closes_at", "2025-04-25 23:59:59"), ("probation_ends_on", "2025-08-31"),
                        ("window_618_starts_at", "2025-05-20 20:00:00"), ("checkpoint_ends_at", "2025-05-31 23:59:59")]:
        assert f'name="{name}" value="{value}"' in content
    assert [(row["field"].name, row["old"]) for row in response.context["rows"]][:3] == [
        ("application_opens_at", "2024-04-01 00:00:00"), ("application_closes_at", "2024-04-25 23:59:59"),
        ("review_starts_on", "2024-04-22"),
    ]
    assert len(response.context["rows"]) == 14
    assert '<td>2024-04-27 23:59:59</td>' in content
    assert 'name="filing_deadline" value="2025-04-27 23:59:59"' in content
    assert 'name="window_618_ends_at" value="2025-06-20 23:59:59"' in content
    assert content.count("（手动设定）") == 4
    assert response.context["basic_months"] == [("2024-05", "2025-05"), ("2024-06", "2025-06"), ("2024-07", "2025-07")]
    assert 'name="_confirm"' in content


def test_the_preview_refuses_a_taken_code(client, campaign, campaign_admin):
    client.force_login(campaign_admin)

    response = client.post(copy_url(campaign), {**START, "slug": campaign.slug})

    assert response.context["stage"] == "start"
    assert response.context["form"].errors == {"slug": ["已有活动使用此代码。"]}
    assert 'name="name" value="纳新 3.0（2025）"' in response.content.decode()


def test_confirming_creates_the_round_with_the_dates_typed(client, campaign, campaign_admin):
    client.force_login(campaign_admin)

    response = client.post(copy_url(campaign), CONFIRM_2025)

    new = Campaign.objects.get(slug="2025-nx3")
    assert response.status_code == 302 and response.url == reverse("admin:recruitment_campaign_change", args=[new.pk])
    assert (new.name, new.is_current) == ("纳新 3.0（2025）", False)
    assert (new.activity_starts_at, new.activity_ends_at, new.window_618_starts_at, new.window_618_ends_at) == (
        beijing(2025, 5, 12), beijing(2025, 6, 22, 23, 59, 59), beijing(2025, 5, 13, 20),
        beijing(2025, 6, 18, 23, 59, 59))
    assert list(new.basic_months.values_list("month", flat=True)) == [date(2025, 5, 1), date(2025, 6, 1),
                                                                      date(2025, 7, 1)]
    assert AuditEvent.objects.filter(action="copy_campaign", actor=campaign_admin, campaign=new).count() == 1
    followed = client.get(response.url)
    assert ("“纳新 3.0（2025）”已根据“淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）”创建，您的工作活动已切换到新一轮。"
            in followed.content.decode())


def test_the_copier_works_on_the_new_round_and_nobody_else_moves(client, campaign, campaign_admin):
    other_admin = staff_with_role(CAMPAIGN_ADMIN, username="campaign-admin-2")
    WorkspaceChoice.remember(other_admin, campaign)
    client.force_login(campaign_admin)
    assert workspace.chosen_campaign(campaign_admin) == campaign

    client.post(copy_url(campaign), CONFIRM_2025)

    new = Campaign.objects.get(slug="2025-nx3")
    assert (workspace.chosen_campaign(campaign_admin), workspace.chosen_campaign(other_admin)) == (new, campaign)


def test_a_refused_confirmation_keeps_every_typed_value(client, campaign, campaign_admin):
    client.force_login(campaign_admin)
    before = written()
    typed = {**CONFIRM_2025, "window_618_ends_at": "2025-06-23 10:11:12", "probation_starts_on": "2025-06-01",
             "review_ends_on": "2025-04-3x"}

    response = client.post(copy_url(campaign), typed)

    content = response.content.decode()
    assert response.status_code == 200
    assert written() == before
    assert response.context["form"].errors == {"review_ends_on": ["输入一个有效的日期。"]}
    for name in ("window_618_ends_at", "probation_starts_on", "review_ends_on", "activity_starts_at", "name", "slug"):
        assert f'name="{name}" value="{typed[name]}"' in content, name


def test_a_confirmation_refused_by_the_calendar_names_each_field_and_keeps_the_values(client, campaign,
                                                                                        campaign_admin):
    client.force_login(campaign_admin)
    before = written()
    typed = {**CONFIRM_2025, "window_618_ends_at": "2025-06-23 10:11:12", "probation_starts_on": "2025-06-01"}

    response = client.post(copy_url(campaign), typed)

    content = response.content.decode()
    assert written() == before
    errors = response.context["form"].errors
    assert errors["window_618_ends_at"] == ["618 窗口的结束时间不能晚于拓客先锋活动结束时间（2025-06-22 23:59:59）。"]
    assert errors["__all__"] == ["2025-05: 该考核月份必须整月落在试用期内（2025-06-01 至 2025-08-31）。"]
    assert 'name="window_618_ends_at" value="2025-06-23 10:11:12"' in content
    assert 'name="probation_starts_on" value="2025-06-01"' in content
    assert 'name="_confirm"' in content
