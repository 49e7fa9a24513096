"""The board's decision pages and the violation pages: GET shows a plan and writes nothing; only the campaign
admin confirms; a confirmation on a stale preview decides nothing; operations see and prepare."""

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from probation import datamark, services
from probation.enums import LeaderStatus, ViolationKind
from probation.models import CheckResult, ImportRecord, Leader, LeaderStatusChange, Violation
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews.roles import CAMPAIGN_ADMIN, OPERATIONS, ensure_roles
from tests.factories import UserFactory
from tests.probation.conftest import counts
from tests.probation.factories import MerchantFactory

pytestmark = pytest.mark.django_db

NOW = beijing(2024, 6, 3, 10)
DATA = "admin:probation_board_data"
PREVIEW = "admin:probation_board_preview"
RECHECK = "admin:probation_board_recheck"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def member(role, name):
    ensure_roles()
    user = UserFactory(username=f"{name}@example.com", email=f"{name}@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def ops(client):
    client.force_login(member(OPERATIONS, "ops"))
    return client


@pytest.fixture
def campaign_admin(client):
    user = member(CAMPAIGN_ADMIN, "campaign-admin")
    client.force_login(user)
    client.user = user
    return client


def page(client, name, **query):
    return client.get(reverse(name), {"campaign": "2024-nx2", **query})


# --- Data mark ----------------------------------------------------------------------------------------


def test_data_page_lists_the_latest_import_of_each_kind_and_writes_nothing(ops, campaign, world):
    ImportRecord.objects.create(campaign=campaign, kind="orders", rows=10, created=10, updated=0,
                                imported_at=beijing(2024, 6, 1, 9), file_name="orders-old.csv")
    ImportRecord.objects.create(campaign=campaign, kind="orders", rows=12, created=2, updated=10,
                                imported_at=beijing(2024, 6, 2, 9), file_name="orders-may.csv")
    before = counts()

    response = page(ops, DATA)

    assert response.status_code == 200
    imports = {kind: record for kind, _label, record in response.context["imports"]}
    assert list(imports) == ["leaders", "merchants", "merchant_exits", "activities", "enrollments", "orders"]
    assert (imports["orders"].rows, imports["orders"].file_name) == (12, "orders-may.csv")
    assert imports["leaders"] is None
    assert [w.code for w in response.context["waiting"]] == ["basic:2024-05", "special:checkpoint"]
    assert "2024-05 基础项考核已到期，等待数据确认" in response.text
    assert counts() == before


def test_data_page_previews_a_day_for_operations_without_a_confirm_button(ops, campaign, world):
    before = counts()

    response = page(ops, DATA, through="2024-05-31")

    preview = response.context["preview"]
    assert (preview["mark"], preview["to_close"]) == (beijing(2024, 6, 1), 1)
    assert [(c["account"], c["kind"]) for c in preview["changes"]] == [("P03", "close")]
    assert 'id="pb-mark-confirm"' not in response.text
    assert "只有活动管理员可以确认数据" in response.text
    assert counts() == before


@pytest.mark.parametrize(("through", "message"), [
    ("2024-06-03", "数据完整时间不能晚于当前时间（2024-06-03 10:00:00）"),  # today has not ended
    ("2024-05-30", "数据完整时间只能向后推进：2024-05-31 00:00:00 早于当前的数据完整时间 2024-06-01 00:00:00。"),
])
def test_data_page_refuses_a_day_in_the_future_or_before_the_mark(campaign_admin, campaign, world, through,
                                                                  message):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))

    response = page(campaign_admin, DATA, through=through)

    assert response.context["preview"] is None
    assert message in response.context["form"].errors["through"][0]


def test_confirming_the_data_moves_the_mark_and_decides_what_was_previewed(campaign_admin, campaign, world):
    fingerprint = page(campaign_admin, DATA, through="2024-05-31").context["preview"]["fingerprint"]

    response = campaign_admin.post(reverse(DATA), {"campaign": "2024-nx2", "through": "2024-05-31",
                                                   "fingerprint": fingerprint})

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("admin:probation_board_changelist") + "?campaign=2024-nx2"
    assert (campaign.data_complete_until, campaign.decided_until) == (beijing(2024, 6, 1), beijing(2024, 6, 1))
    assert Leader.objects.get(leader_account="P03").status == LeaderStatus.CLOSED
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "actor")) == [
        ("data_mark", campaign_admin.user.pk), ("decide", campaign_admin.user.pk)]


def test_confirming_on_a_stale_preview_decides_nothing_and_shows_the_new_plan(campaign_admin, campaign, world):
    fingerprint = page(campaign_admin, DATA, through="2024-05-31").context["preview"]["fingerprint"]
    MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 20))  # imported meanwhile
    before = counts()

    response = campaign_admin.post(reverse(DATA), {"campaign": "2024-nx2", "through": "2024-05-31",
                                                   "fingerprint": fingerprint})

    assert response.status_code == 200
    assert counts() == before
    assert "预览之后数据或考核结果已发生变化" in response.text
    assert response.context["preview"]["to_close"] == 0


def test_operations_cannot_confirm_the_data(ops, campaign, world):
    before = counts()

    response = ops.post(reverse(DATA), {"campaign": "2024-nx2", "through": "2024-05-31", "fingerprint": "x"})

    assert response.status_code == 403
    assert counts() == before


# --- Preview and decide -------------------------------------------------------------------------------


def test_preview_shows_who_would_be_closed_on_what_figures_and_writes_nothing(ops, campaign, world):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))
    before = counts()

    response = page(ops, PREVIEW)

    preview = response.context["preview"]
    checkpoint = next(check for check in preview["checks"] if check["code"] == "special:checkpoint")
    assert [(row["account"], [(f["label"], f["value"], f["threshold"]) for f in row["figures"]])
            for row in checkpoint["failing"]] == [("P03", [("新商家数", 0, 1)])]
    assert [row["account"] for row in checkpoint["passing"]] == ["P01", "P02", "P04", "P05"]
    assert 'id="pb-decide"' not in response.text
    assert counts() == before


def test_the_campaign_admin_decides_from_the_preview_with_one_click(campaign_admin, campaign, world):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))
    response = page(campaign_admin, PREVIEW)
    assert "立即决定（将关闭 1 个权限）" in response.text

    decided = campaign_admin.post(reverse(PREVIEW), {"campaign": "2024-nx2",
                                                     "fingerprint": response.context["preview"]["fingerprint"]})

    assert decided.status_code == 302
    assert sorted(Leader.objects.values_list("leader_account", "status")) == [
        ("P01", "probation"), ("P02", "probation"), ("P03", "closed"), ("P04", "probation"), ("P05", "probation")]


def test_preview_without_a_mark_says_nothing_is_decided(campaign_admin, campaign, world):
    response = page(campaign_admin, PREVIEW)

    assert response.context["up_to"] is None
    assert 'id="pb-no-mark"' in response.text
    assert 'id="pb-decide"' not in response.text


def test_operations_cannot_decide(ops, campaign, world):
    Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=beijing(2024, 6, 1))
    before = counts()

    response = ops.post(reverse(PREVIEW), {"campaign": "2024-nx2", "fingerprint": "x"})

    assert response.status_code == 403
    assert counts() == before


# --- Recheck --------------------------------------------------------------------------------------------


@pytest.fixture
def late_merchant(campaign, world):
    """The checkpoint decided without P03's merchant; the merchant arrives the next morning."""
    services.evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1))
    MerchantFactory(leader=world["P03"], opened_at=beijing(2024, 5, 31, 22))
    return world["P03"]


def test_recheck_page_previews_the_reinstatement_and_the_admin_confirms_it(campaign_admin, late_merchant):
    preview = page(campaign_admin, RECHECK).context["preview"]
    assert ([(c["account"], c["kind"]) for c in preview["changes"]], preview["to_reinstate"]) == (
        [("P03", "reinstate")], 1)
    assert [(f["account"], f["checks"]) for f in preview["flips"]] == [("P03", ["纳新专项考核：阶段节点"])]

    response = campaign_admin.post(reverse(RECHECK), {"campaign": "2024-nx2", "fingerprint": preview["fingerprint"]})

    p03 = Leader.objects.get(pk=late_merchant.pk)
    assert response.status_code == 302
    assert (p03.status, p03.closed_at) == (LeaderStatus.PROBATION, None)
    change = p03.status_changes.order_by("pk").last()
    assert (change.from_status, change.to_status, change.actor_id) == ("closed", "probation", campaign_admin.user.pk)


def test_recheck_of_the_selected_leaders_from_the_leader_list(campaign_admin, campaign, late_merchant, world):
    world["P01"].merchants.update(opened_at=beijing(2024, 4, 1))  # a full recheck would also close P01
    changelist = reverse("admin:probation_leader_changelist")

    redirect = campaign_admin.post(changelist, {"action": "recheck_selected", "_selected_action": [late_merchant.pk]})
    preview_page = campaign_admin.get(redirect.url)
    preview = preview_page.context["preview"]
    campaign_admin.post(reverse(RECHECK), {"campaign": "2024-nx2", "leader": [late_merchant.pk],
                                           "fingerprint": preview["fingerprint"]})

    assert redirect.url == f"{reverse(RECHECK)}?campaign=2024-nx2&leader={late_merchant.pk}"
    assert [c["account"] for c in preview["changes"]] == ["P03"]
    assert sorted(Leader.objects.values_list("leader_account", "status")) == [
        ("P01", "probation"), ("P02", "probation"), ("P03", "probation"), ("P04", "probation"), ("P05", "probation")]


def test_leader_page_links_its_own_recheck(ops, late_merchant):
    response = ops.get(reverse("admin:probation_leader_change", args=[late_merchant.pk]))

    assert f"{reverse(RECHECK)}?campaign=2024-nx2&amp;leader={late_merchant.pk}" in response.text


def test_operations_see_the_recheck_but_cannot_confirm_it(ops, late_merchant):
    preview = page(ops, RECHECK)
    before = counts()

    response = ops.post(reverse(RECHECK), {"campaign": "2024-nx2", "fingerprint": preview.context["preview"][
        "fingerprint"]})

    assert 'id="pb-recheck-confirm"' not in preview.text
    assert response.status_code == 403
    assert counts() == before


def test_board_shows_waiting_checks_and_leaders_whose_data_changed(client, campaign, late_merchant):
    datamark.compare_verdicts(campaign)

    with time_machine.travel(beijing(2024, 7, 4), tick=False):
        client.force_login(member(OPERATIONS, "ops"))
        response = client.get(reverse("admin:probation_board_changelist"), {"campaign": "2024-nx2"})

    assert [leader.leader_account for leader in response.context["stale"]] == ["P03"]
    assert "数据已变化，待复核" in response.text
    assert "2024-06 基础项考核已到期，等待数据确认（自 2024-07-01 00:00:00 起，已 3 天）" in response.text


def test_dashboard_says_which_checks_wait_for_data(ops, campaign, world):
    response = ops.get(reverse("admin:index"))

    (block,) = response.context["dashboard"]["probation"]
    assert [w.code for w in block["waiting"]] == ["basic:2024-05", "special:checkpoint"]
    assert "2024-05 基础项考核已到期，等待数据确认" in response.text


# --- Violations -------------------------------------------------------------------------------------------


def test_leader_is_picked_by_search_in_the_violation_form(ops, world):
    form = ops.get(reverse("admin:probation_violation_add"))
    found = ops.get(reverse("admin:autocomplete"), {"app_label": "probation", "model_name": "violation",
                                                     "field_name": "leader", "term": "P03"})

    assert "admin-autocomplete" in form.text
    assert [item["text"] for item in found.json()["results"]] == ["P03"]


def test_operations_record_a_violation_after_a_confirmation_and_the_permission_stays_open(ops, world):
    data = {"leader": world["P01"].pk, "kind": "order_skipping", "note": "翘单", "closes_permission": "on"}

    confirmation = ops.post(reverse("admin:probation_violation_add"), data)
    assert Violation.objects.count() == 0
    recorded = ops.post(reverse("admin:probation_violation_add"), {**data, "_confirmed": "1"})

    p01 = Leader.objects.get(pk=world["P01"].pk)
    assert "form" not in confirmation.context or "closes_permission" not in confirmation.context["form"].fields
    assert "其招商团长权限保持开通" in confirmation.text
    assert recorded.status_code == 302
    assert list(Violation.objects.values_list("kind", "closes_permission")) == [("order_skipping", False)]
    assert p01.status == LeaderStatus.PROBATION


def test_the_campaign_admin_may_close_the_permission_for_a_violation(campaign_admin, world):
    data = {"leader": world["P01"].pk, "kind": "fake_orders", "note": "刷单", "closes_permission": "on"}

    confirmation = campaign_admin.post(reverse("admin:probation_violation_add"), data)
    campaign_admin.post(reverse("admin:probation_violation_add"), {**data, "_confirmed": "1"})

    p01 = Leader.objects.get(pk=world["P01"].pk)
    assert "其招商团长权限将立即关闭" in confirmation.text
    assert (p01.status, p01.closed_at, p01.closure_reason) == (LeaderStatus.CLOSED, NOW, "violation:fake_orders")
    assert AuditEvent.objects.get(action="violation").details["closes_permission"] is True


def test_withdrawal_is_the_campaign_admins_and_shows_what_it_undoes_first(campaign_admin, client, world):
    violation = services.record_violation(world["P04"], kind=ViolationKind.FAKE_ORDERS, note="", actor=None,
                                          close_permission=True)
    url = reverse("admin:probation_violation_withdraw", args=[violation.pk])
    before = counts()

    preview = campaign_admin.get(url)
    refused = campaign_admin.post(url, {"reason": ""})
    assert counts() == before
    withdrawn = campaign_admin.post(url, {"reason": "记录错了账号"})

    assert [(c["account"], c["kind"]) for c in preview.context["preview"]["changes"]] == [("P04", "reinstate")]
    assert refused.status_code == 200 and refused.context["form"].errors
    assert withdrawn.status_code == 302
    assert Leader.objects.get(pk=world["P04"].pk).status == LeaderStatus.PROBATION
    assert AuditEvent.objects.filter(action="recheck").count() == 0
    assert Notification.objects.filter(event__startswith="probation_reinstated").count() == 0  # imported leader


def test_operations_cannot_withdraw_a_violation(ops, world):
    violation = services.record_violation(world["P04"], kind=ViolationKind.FAKE_ORDERS, note="", actor=None,
                                          close_permission=True)

    response = ops.post(reverse("admin:probation_violation_withdraw", args=[violation.pk]), {"reason": "x"})
    page_link = ops.get(reverse("admin:probation_violation_change", args=[violation.pk]))

    violation.refresh_from_db()
    assert response.status_code == 403
    assert violation.withdrawn_at is None
    assert 'id="pb-withdraw-link"' not in page_link.text


def test_get_of_every_decision_page_writes_nothing(campaign_admin, campaign, late_merchant):
    violation = services.record_violation(late_merchant, kind=ViolationKind.CHEATING, note="", actor=None)
    before = counts()
    results = CheckResult.objects.count(), LeaderStatusChange.objects.count()

    for url in (reverse(DATA) + "?campaign=2024-nx2&through=2024-06-02", reverse(PREVIEW) + "?campaign=2024-nx2",
                reverse(RECHECK) + "?campaign=2024-nx2",
                reverse("admin:probation_violation_withdraw", args=[violation.pk])):
        assert campaign_admin.get(url).status_code == 200

    assert counts() == before
    assert (CheckResult.objects.count(), LeaderStatusChange.objects.count()) == results
