"""Rule changes during probation (规则变更): logged (who, when, what, from, to), shown to leaders as
规则变更记录, told through the 公布规则变更 step once per leader in probation, and a decided check changed
only through 保存并复核."""

from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.urls import reverse

from applications.enums import ApplicationStatus
from notifications.models import Notification
from probation import rules, services
from probation.enums import ViolationKind
from probation.models import CheckItem, CheckResult, Leader, RuleChange, RuleNotice
from probation.progress import leader_progress
from recruitment.timeutils import beijing
from reviews.roles import CAMPAIGN_ADMIN, OPERATIONS, ensure_roles
from tests.factories import ApplicationFactory, UserFactory
from tests.probation.factories import ActivityFactory, LeaderFactory
from tests.probation.test_services import relax
from tests.reviews.factories import FinalReviewApplicationFactory

pytestmark = pytest.mark.django_db

NOW = beijing(2024, 7, 20, 10)
ADD = "admin:probation_checkitem_add"
PUBLISH = "admin:probation_rulenotice_add"


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
def campaign_admin(client):
    user = member(CAMPAIGN_ADMIN, "campaign-admin")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def leaders(campaign):
    """K1, K2 in probation with an applicant account each; K3 closed for a violation on 07-20; K4 in
    probation without an account here (imported from the roster). K1 has one July activity."""
    relax(campaign)
    found = {}
    for account in ("K1", "K2", "K3", "K4"):
        leader = LeaderFactory(campaign=campaign, leader_account=account)
        if account != "K4":
            applicant = UserFactory(username=f"{account.lower()}@example.com")
            leader.application = ApplicationFactory(campaign=campaign, applicant=applicant)
            leader.save()
        found[account] = leader
    services.record_violation(found["K3"], kind=ViolationKind.FAKE_ORDERS, note="刷单", actor=None,
                              close_permission=True)
    ActivityFactory(leader=found["K1"], created_at=beijing(2024, 7, 10))
    return found


def form_data(campaign, **fields):
    return {"campaign": campaign.pk, "code": "extra:july", "name": "七月推广活动", "measure": "activities",
            "starts_at_0": "2024-07-01", "starts_at_1": "00:00:00", "ends_at_0": "2024-07-31", "ends_at_1": "23:59:59",
            "threshold": "1", "due_at_0": "2024-08-05", "due_at_1": "12:00:00", **fields}


def log(campaign):
    return list(RuleChange.objects.filter(campaign=campaign).order_by("pk").values_list(
        "changed_by__username", "changed_at", "what", "from_value", "to_value"))


# --- Adding and editing a check item ------------------------------------------------------------------


def test_the_campaign_admin_adds_an_item_and_the_addition_is_logged(campaign_admin, campaign, leaders):
    response = campaign_admin.post(reverse(ADD), form_data(campaign))

    assert response.status_code == 302
    item = CheckItem.objects.get()
    assert (item.code, item.measure, item.threshold, item.due_at, item.created_by) == (
        "extra:july", "activities", Decimal("1.00"), beijing(2024, 8, 5, 12), campaign_admin.user)
    # Worded in the site language (leaders read it), whatever language the staff member's browser asks for.
    assert log(campaign) == [("campaign-admin@example.com", NOW, "新增考核项：extra:july", "",
                              "七月推广活动: 新推广活动个数 ≥ 1, 2024-07-01 00:00:00 – 2024-07-31 23:59:59, "
                              "考核时点 2024-08-05 12:00:00")]


@pytest.mark.parametrize("due", [("2024-07-20", "10:00:00"), ("2024-07-19", "23:59:59")])
def test_an_item_due_now_or_in_the_past_is_refused(campaign_admin, campaign, leaders, due):
    response = campaign_admin.post(reverse(ADD), form_data(campaign, due_at_0=due[0], due_at_1=due[1]))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["due_at"]
    assert (CheckItem.objects.count(), RuleChange.objects.count()) == (0, 0)


def test_an_item_due_a_second_from_now_is_accepted(campaign_admin, campaign, leaders):
    response = campaign_admin.post(reverse(ADD), form_data(campaign, ends_at_0="2024-07-20", ends_at_1="10:00:00",
                                                           due_at_0="2024-07-20", due_at_1="10:00:01"))
    assert response.status_code == 302
    assert CheckItem.objects.get().due_at == beijing(2024, 7, 20, 10, 0, 1)


def test_operations_see_items_but_may_not_add_them(client, campaign, leaders):
    client.force_login(member(OPERATIONS, "ops"))

    assert client.get(reverse("admin:probation_checkitem_changelist")).status_code == 200
    assert client.post(reverse(ADD), form_data(campaign)).status_code == 403
    assert client.get(reverse(PUBLISH), {"campaign": campaign.slug}).status_code == 403
    assert (CheckItem.objects.count(), RuleChange.objects.count()) == (0, 0)


def add_item(campaign, actor, **fields):
    values = {"campaign": campaign, "code": "extra:july", "name": "七月推广活动", "measure": "activities",
              "starts_at": beijing(2024, 7, 1), "ends_at": beijing(2024, 7, 31, 23, 59, 59),
              "threshold": Decimal(1), "due_at": beijing(2024, 8, 5, 12), **fields}
    item = CheckItem(**values)
    rules.save_check_item(item, actor=actor)
    return item


def test_editing_an_undecided_threshold_is_logged_from_and_to(campaign_admin, campaign, leaders):
    item = add_item(campaign, campaign_admin.user)
    change = reverse("admin:probation_checkitem_change", args=[item.pk])

    with time_machine.travel(beijing(2024, 7, 21, 9), tick=False):
        response = campaign_admin.post(change, {**form_data(campaign, threshold="2"), "_save": "1"})

    assert response.status_code == 302
    assert CheckItem.objects.get().threshold == Decimal(2)
    assert log(campaign)[1:] == [
        ("campaign-admin@example.com", beijing(2024, 7, 21, 9), "考核项 extra:july: 门槛（不低于）", "1", "2")]


def item_results():
    return sorted(CheckResult.objects.filter(code="extra:july").values_list("leader__leader_account", "passed"))


@pytest.fixture
def decided(campaign, leaders, campaign_admin):
    """extra:july (at least 1 July activity, due 08-05 12:00) decided on 08-06: K1 passed, K2 and K4 closed.
    The tests using it run on 08-07 (logged in again then: the admin session of 07-20 has expired)."""
    item = add_item(campaign, campaign_admin.user)
    with time_machine.travel(beijing(2024, 8, 6), tick=False):
        services.evaluate_due_checks(campaign, as_of=beijing(2024, 8, 5, 12))
    with time_machine.travel(beijing(2024, 8, 7), tick=False):
        campaign_admin.force_login(campaign_admin.user)
        yield item


def test_a_decided_threshold_is_refused_on_save(campaign_admin, campaign, decided):
    change = reverse("admin:probation_checkitem_change", args=[decided.pk])
    page = campaign_admin.get(change)
    response = campaign_admin.post(change, {**form_data(campaign, threshold="0"), "_save": "1"})

    assert 'name="_saverecheck"' in page.content.decode()
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "extra:july 已作出考核结果：修改只能通过“保存并复核”保存，保存后按当日数据复核本期活动。"]
    assert CheckItem.objects.get().threshold == Decimal(1)
    assert len(log(campaign)) == 1
    with pytest.raises(rules.DecidedCheckChanged):
        decided.threshold = Decimal(0)
        rules.save_check_item(decided, actor=None, before=CheckItem.objects.get())


def test_save_and_recheck_saves_the_threshold_and_rechecks_on_todays_data(campaign_admin, campaign, decided):
    change = reverse("admin:probation_checkitem_change", args=[decided.pk])
    assert item_results() == [("K1", True), ("K2", False), ("K4", False)]  # K3 was closed before it was due

    response = campaign_admin.post(change, {**form_data(campaign, threshold="0"), "_saverecheck": "1"})

    assert response.status_code == 302
    assert CheckItem.objects.get().threshold == Decimal(0)
    assert item_results() == [("K1", True), ("K2", True), ("K4", True)]
    statuses = dict(Leader.objects.values_list("leader_account", "status"))
    assert statuses == {"K1": "probation", "K2": "probation", "K3": "closed", "K4": "probation"}
    assert log(campaign)[1:] == [
        ("campaign-admin@example.com", beijing(2024, 8, 7), "考核项 extra:july: 门槛（不低于）", "1", "0")]


def test_a_name_change_of_a_decided_item_is_a_plain_save(campaign_admin, campaign, decided):
    change = reverse("admin:probation_checkitem_change", args=[decided.pk])
    response = campaign_admin.post(change, {**form_data(campaign, name="七月活动"), "_save": "1"})
    assert response.status_code == 302
    assert CheckItem.objects.get().name == "七月活动"
    assert item_results() == [("K1", True), ("K2", False), ("K4", False)]


# --- The leader's page ----------------------------------------------------------------------------------


def test_the_leader_page_shows_the_item_and_the_rule_change_record(campaign, leaders, campaign_admin):
    add_item(campaign, campaign_admin.user)
    progress = leader_progress(Leader.objects.get(leader_account="K1"), now=NOW)
    html = render_to_string("probation/_progress.html", {"probation_progress": progress})

    assert [(i["code"], i["state"], i["value"], i["threshold"]) for i in progress["check_items"]] == [
        ("extra:july", "in_progress", 1, 1)]
    assert [(c["changed_at"], c["from_value"], c["told_at"]) for c in progress["rule_changes"]] == [(NOW, "", None)]
    assert 'id="probation-check-items"' in html
    assert "七月推广活动" in html
    assert "规则变更记录" in html
    assert "campaign-admin@example.com" not in html  # who changed it stays in the admin


def test_without_rule_changes_the_record_is_not_shown(campaign, leaders):
    html = render_to_string("probation/_progress.html",
                            {"probation_progress": leader_progress(leaders["K1"], now=NOW)})
    assert "规则变更记录" not in html and 'id="probation-check-items"' not in html


# --- 公布规则变更 -----------------------------------------------------------------------------------------


def test_publishing_tells_each_leader_in_probation_once_with_the_edits_since_the_last_notice(
        campaign_admin, campaign, leaders):
    item = add_item(campaign, campaign_admin.user)
    before = CheckItem.objects.get(pk=item.pk)
    item.threshold = Decimal(2)
    rules.save_check_item(item, actor=campaign_admin.user, before=before)

    page = campaign_admin.get(reverse(PUBLISH), {"campaign": campaign.slug})
    assert [c.what for c in page.context["pending"]] == ["新增考核项：extra:july",
                                                         "考核项 extra:july: 门槛（不低于）"]
    assert page.context["leaders"] == 3
    response = campaign_admin.post(reverse(PUBLISH), {"campaign": campaign.slug, "text": "七月新增考核项，请留意。"})

    assert response.status_code == 302
    notice = RuleNotice.objects.get()
    assert (notice.text, notice.published_by, notice.published_at, notice.recipients) == (
        "七月新增考核项，请留意。", campaign_admin.user, NOW, 3)
    told = Notification.objects.filter(event__startswith="probation_rules:")
    assert sorted(set(told.values_list("recipient__username", flat=True))) == ["k1@example.com", "k2@example.com"]
    assert sorted(set(told.values_list("event", flat=True))) == [
        f"probation_rules:{notice.pk}:{leaders['K1'].pk}", f"probation_rules:{notice.pk}:{leaders['K2'].pk}"]
    assert told.count() == 2 * len(set(told.values_list("channel", flat=True)))  # once per leader and channel
    body = told.first().body
    assert "七月新增考核项，请留意。" in body and "extra:july" in body
    assert RuleChange.objects.filter(notice=notice).count() == 2

    # Nothing new: nothing to publish, nobody told again.
    again = campaign_admin.post(reverse(PUBLISH), {"campaign": campaign.slug, "text": "再次"})
    assert again.status_code == 200
    assert (RuleNotice.objects.count(), told.count()) == (1, 2 * len(set(told.values_list("channel", flat=True))))

    # A later edit makes the next notice, which lists only it.
    before = CheckItem.objects.get(pk=item.pk)
    item.due_at = beijing(2024, 8, 6, 12)
    rules.save_check_item(item, actor=campaign_admin.user, before=before)
    page = campaign_admin.get(reverse(PUBLISH), {"campaign": campaign.slug})
    assert [(c.what, c.from_value, c.to_value) for c in page.context["pending"]] == [
        ("考核项 extra:july: 考核时点", "2024-08-05 12:00:00", "2024-08-06 12:00:00")]


# --- The built-in checks' rules, edited on the campaign ----------------------------------------------------


def campaign_post(client, campaign, button="_save", **overrides):
    from tests.recruitment.test_admin import form_data as campaign_form

    data = {**campaign_form(campaign), button: "1"}
    for key, value in overrides.items():
        data[key] = value
    return client.post(reverse("admin:recruitment_campaign_change", args=[campaign.pk]), data)


def test_editing_an_undecided_threshold_on_the_campaign_is_logged(campaign_admin, campaign, leaders):
    june = campaign.basic_months.order_by("month")[1]
    index = list(campaign.basic_months.order_by("month")).index(june)

    response = campaign_post(campaign_admin, campaign, checkpoint_min_new_merchants="3",
                             **{f"basic_months-{index}-min_gmv": "12000.00"})

    assert response.status_code == 302
    assert log(campaign) == [
        ("campaign-admin@example.com", NOW, "阶段考核：新商家数下限", "0", "3"),
        ("campaign-admin@example.com", NOW, "2024-06 基础项考核: 招商成交额（GMV）下限（元）", "0.00", "12000.00"),
    ]


def test_an_edit_that_moves_no_rule_logs_nothing(campaign_admin, campaign, leaders):
    typed = f"{campaign.settlement_rate_min_percent.normalize():f}"  # "60" for 60.00: the same rule
    response = campaign_post(campaign_admin, campaign, name="改个名字", settlement_rate_min_percent=typed)
    assert response.status_code == 302
    assert log(campaign) == []


@pytest.fixture
def may_decided(campaign, leaders, campaign_admin):
    """Everything due by 06-01 decided (basic:2024-05, special:checkpoint); the tests run on 06-02."""
    with time_machine.travel(beijing(2024, 6, 2), tick=False):
        services.evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1))
        campaign_admin.force_login(campaign_admin.user)
        yield


def test_a_decided_campaign_threshold_is_refused_on_save_and_taken_by_save_and_recheck(
        campaign_admin, campaign, may_decided):
    assert sorted(set(CheckResult.objects.values_list("code", "passed"))) == [
        ("basic:2024-05", True), ("special:checkpoint", True)]

    refused = campaign_post(campaign_admin, campaign, checkpoint_min_new_merchants="1")
    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [
        "special:checkpoint 已作出考核结果：只能通过“保存并复核”修改，保存后按当日数据复核本期活动。"]
    campaign.refresh_from_db()
    assert (campaign.checkpoint_min_new_merchants, log(campaign)) == (0, [])
    assert 'name="_saverecheck"' in campaign_admin.get(
        reverse("admin:recruitment_campaign_change", args=[campaign.pk])).content.decode()

    taken = campaign_post(campaign_admin, campaign, "_saverecheck", checkpoint_min_new_merchants="1")

    assert taken.status_code == 302
    campaign.refresh_from_db()
    assert campaign.checkpoint_min_new_merchants == 1
    assert log(campaign) == [("campaign-admin@example.com", beijing(2024, 6, 2), "阶段考核：新商家数下限", "0", "1")]
    # Rechecked on today's data: no leader has a new merchant, so the checkpoint now closes those in probation.
    assert sorted(CheckResult.objects.filter(code="special:checkpoint").values_list(
        "leader__leader_account", "passed")) == [("K1", False), ("K2", False), ("K3", False), ("K4", False)]
    assert dict(Leader.objects.values_list("leader_account", "closed_at")) == {
        account: beijing(2024, 6, 1) for account in ("K1", "K2", "K3", "K4")}


def test_a_decided_months_threshold_is_refused_but_a_later_months_is_not(campaign_admin, campaign, may_decided):
    months = list(campaign.basic_months.order_by("month"))
    may, june = months.index(months[0]), months.index(months[1])

    refused = campaign_post(campaign_admin, campaign, **{f"basic_months-{may}-min_activities": "1"})
    accepted = campaign_post(campaign_admin, campaign, **{f"basic_months-{june}-min_activities": "1"})

    assert refused.status_code == 200
    assert refused.context["inline_admin_formsets"][0].formset.errors[may]["__all__"] == [
        "basic:2024-05 已作出考核结果：只能通过“保存并复核”修改，保存后按当日数据复核本期活动。"]
    assert accepted.status_code == 302
    assert [(what, old, new) for _by, _at, what, old, new in log(campaign)] == [
        ("2024-06 基础项考核: 新推广活动个数下限", "0", "1")]


def test_the_board_counts_the_unpublished_changes_and_links_the_step(campaign_admin, campaign, leaders):
    add_item(campaign, campaign_admin.user)
    board = campaign_admin.get(reverse("admin:probation_board_changelist"), {"campaign": campaign.slug})

    assert board.context["pending_rule_changes"] == 1
    html = board.content.decode()
    assert "尚未公布的规则变更：1 项。" in html
    assert f'{reverse(PUBLISH)}?campaign={campaign.slug}' in html

    campaign_admin.post(reverse(PUBLISH), {"campaign": campaign.slug, "text": "通知"})
    after = campaign_admin.get(reverse("admin:probation_board_changelist"), {"campaign": campaign.slug})
    assert after.context["pending_rule_changes"] == 0
    assert 'id="pb-link-publish-rules"' not in after.content.decode()


def test_the_items_list_says_which_are_decided(campaign_admin, campaign, decided):
    add_item(campaign, campaign_admin.user, code="extra:august", due_at=beijing(2024, 9, 5, 12),
             starts_at=beijing(2024, 8, 1), ends_at=beijing(2024, 8, 31, 23, 59, 59))
    page = campaign_admin.get(reverse("admin:probation_checkitem_changelist"))

    rows = {obj.code: obj.is_decided for obj in page.context["cl"].result_list}
    assert rows == {"extra:july": True, "extra:august": False}


def test_the_selected_applicant_reads_the_item_and_the_rule_changes_on_the_status_page(client, campaign,
                                                                                        campaign_admin):
    relax(campaign)
    application = FinalReviewApplicationFactory(campaign=campaign, status=ApplicationStatus.SELECTED)
    type(campaign).objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 6))
    LeaderFactory(campaign=campaign, leader_account="S1", application=application)
    add_item(campaign, campaign_admin.user)
    rules.publish_notice(campaign, text="七月新增考核项", actor=campaign_admin.user)

    client.force_login(application.applicant)
    html = client.get(reverse("applications:status")).content.decode()

    assert 'id="probation-check-items"' in html and "七月推广活动" in html
    assert 'id="probation-rule-changes"' in html and "规则变更记录" in html and "新增考核项：extra:july" in html
    assert "campaign-admin@example.com" not in html
    assert Notification.objects.filter(recipient=application.applicant, event__startswith="probation_rules:").exists()
