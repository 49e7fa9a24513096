"""Check items added by staff during probation (新增考核项): decided by the one engine like the built-in
checks (data mark, preview, recheck), in the report's failed_checks after the built-in codes of their due
time, then by code."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from probation import datamark, decisions, notices, services
from probation.charts import check_outcomes
from probation.checks import check_definitions
from probation.enums import LeaderStatus
from probation.models import CheckItem, CheckResult, Leader
from probation.progress import leader_progress
from probation.report import report_rows
from probation.tasks import evaluate_due
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, UserFactory
from tests.probation.factories import ActivityFactory, LeaderFactory, MerchantFactory, OrderFactory
from tests.probation.test_services import relax

pytestmark = pytest.mark.django_db

JULY = (beijing(2024, 7, 1), beijing(2024, 7, 31, 23, 59, 59))
DUE = beijing(2024, 8, 5, 12)


def item(campaign, code="extra:july-activities", measure="activities", threshold=2, window=JULY, due=DUE):
    return CheckItem.objects.create(campaign=campaign, code=code, name="七月推广活动", measure=measure,
                                    starts_at=window[0], ends_at=window[1], threshold=Decimal(threshold), due_at=due)


def at(moment, function, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return function(*args, **kwargs)


@pytest.fixture
def july(campaign):
    """Thresholds relaxed; J1 with one activity in July, J2 with two (one at the window's last second), J3
    with two but one a second after the window."""
    relax(campaign)
    leaders = {account: LeaderFactory(campaign=campaign, leader_account=account) for account in ("J1", "J2", "J3")}
    ActivityFactory(leader=leaders["J1"], created_at=beijing(2024, 7, 10))
    ActivityFactory(leader=leaders["J2"], created_at=beijing(2024, 7, 1))
    ActivityFactory(leader=leaders["J2"], created_at=JULY[1])
    ActivityFactory(leader=leaders["J3"], created_at=beijing(2024, 7, 10))
    ActivityFactory(leader=leaders["J3"], created_at=beijing(2024, 8, 1))
    return leaders


def verdicts(code):
    return sorted(CheckResult.objects.filter(code=code).values_list("leader__leader_account", "passed", "metrics"))


def test_an_item_is_judged_on_both_sides_of_its_threshold_and_closes_at_its_due_time(campaign, july):
    item(campaign)

    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))

    assert verdicts("extra:july-activities") == [
        ("J1", False, {"activities": 1, "min_activities": 2}),
        ("J2", True, {"activities": 2, "min_activities": 2}),
        ("J3", False, {"activities": 1, "min_activities": 2}),
    ]
    leaders = {leader.leader_account: leader for leader in Leader.objects.filter(campaign=campaign)}
    assert (leaders["J1"].status, leaders["J1"].closed_at, leaders["J1"].closure_reason) == (
        LeaderStatus.CLOSED, DUE, "extra:july-activities")
    assert leader_progress(leaders["J1"], now=beijing(2024, 9, 2))["closure_reason"] == "七月推广活动"
    outcomes = {row["code"]: (row["passed"], row["failed"], row["waiting"]) for row in check_outcomes(campaign)}
    assert outcomes["extra:july-activities"] == (1, 2, 0)  # the board's outcomes chart has the item's row
    # Retained at probation end: the item was due before it, so nothing that applies is still to come.
    assert leaders["J2"].status == LeaderStatus.RETAINED
    assert leaders["J2"].status_changes.get().effective_at == beijing(2024, 9, 1)


def test_an_item_is_decided_at_its_due_time_and_not_a_second_before(campaign, july):
    item(campaign)

    at(beijing(2024, 8, 6), services.evaluate_due_checks, campaign, as_of=beijing(2024, 8, 5, 11, 59, 59))
    assert verdicts("extra:july-activities") == []
    assert Leader.objects.get(leader_account="J1").status == LeaderStatus.PROBATION

    plan = at(beijing(2024, 8, 6), services.evaluate_due_checks, campaign, as_of=DUE)
    assert ("extra:july-activities", DUE, 1, 2) in plan.evaluated
    assert [account for account, _p, _m in verdicts("extra:july-activities")] == ["J1", "J2", "J3"]


@pytest.mark.parametrize("measure, threshold, window, expected", [
    ("gmv", "100.50", JULY, [("G1", False, {"gmv": "100.49", "min_gmv": "100.50"}),
                             ("G2", True, {"gmv": "100.50", "min_gmv": "100.50"})]),
    # The new-merchant window replaces the activity window: July, after the activity has ended.
    ("new_merchants", 1, JULY, [("G1", False, {"new_merchants": 0, "min_new_merchants": 1}),
                                ("G2", True, {"new_merchants": 1, "min_new_merchants": 1})]),
    ("qualifying_merchants", 1, JULY, [("G1", False, {"qualifying_merchants": 0, "min_qualifying_merchants": 1}),
                                       ("G2", True, {"qualifying_merchants": 1, "min_qualifying_merchants": 1})]),
])
def test_every_measure_over_the_items_window(campaign, measure, threshold, window, expected):
    relax(campaign)
    campaign.best_item_min_orders = 2
    campaign.settlement_rate_min_percent = Decimal("50")
    campaign.save()
    g1 = LeaderFactory(campaign=campaign, leader_account="G1")
    g2 = LeaderFactory(campaign=campaign, leader_account="G2")
    # G1: a merchant opened in the activity (not in July), July orders worth 100.49.
    m1 = MerchantFactory(leader=g1, opened_at=beijing(2024, 6, 1))
    OrderFactory(leader=g1, merchant=m1, paid_at=beijing(2024, 7, 2), paid_amount=Decimal("100.49"))
    # G2: a merchant opened in July with two settled orders of one item in July worth 100.50 in all.
    m2 = MerchantFactory(leader=g2, opened_at=beijing(2024, 7, 1))
    OrderFactory(leader=g2, merchant=m2, item_id="I1", paid_at=beijing(2024, 7, 2), paid_amount=Decimal("50.25"),
                 status="settled")
    OrderFactory(leader=g2, merchant=m2, item_id="I1", paid_at=JULY[1], paid_amount=Decimal("50.25"),
                 status="settled")
    item(campaign, code="x", measure=measure, threshold=threshold, window=window)

    at(beijing(2024, 9, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 9, 1))

    assert verdicts("x") == expected


def test_failed_checks_list_items_after_the_built_in_codes_of_their_due_time_then_by_code(campaign):
    relax(campaign)
    campaign.checkpoint_min_new_merchants = 1
    campaign.save()
    LeaderFactory(campaign=campaign, leader_account="R1")  # no new merchant: fails everything below
    window = (campaign.activity_starts_at, campaign.checkpoint_ends_at)
    for code in ("zz", "0-early", "A:first"):  # "0…" sorts before "special:…" as text: it still comes after
        item(campaign, code=code, measure="new_merchants", threshold=1, window=window, due=beijing(2024, 6, 1))

    at(beijing(2024, 6, 2), services.evaluate_due_checks, campaign, as_of=beijing(2024, 6, 1))

    row = report_rows(campaign)[0]
    assert (row["leader_account"], row["status"], row["failed_checks"], row["closed_at"]) == (
        "R1", "closed", "special:checkpoint;0-early;A:first;zz", "2024-06-01T00:00:00+08:00")
    assert Leader.objects.get().closure_reason == "special:checkpoint;0-early;A:first;zz"
    # The built-in checks keep DATA.md's order; the items follow.
    assert [d.code for d in check_definitions(campaign)][-5:] == [
        "special:total", "special:qualifying", "0-early", "A:first", "zz"]


def test_an_item_waits_for_the_data_mark_like_the_built_in_checks(campaign, july):
    item(campaign)
    with time_machine.travel(beijing(2024, 8, 10), tick=False):
        datamark.move_data_mark(campaign, to=beijing(2024, 8, 5, 11, 59, 59), actor=None)
        evaluate_due.delay().get()
        assert verdicts("extra:july-activities") == []
        campaign.refresh_from_db()
        waiting = [w.code for w in datamark.waiting_checks(campaign, now=beijing(2024, 8, 10))]
        assert waiting == ["extra:july-activities"]

        datamark.move_data_mark(campaign, to=DUE, actor=None)
        evaluate_due.delay().get()
    assert [(a, p) for a, p, _m in verdicts("extra:july-activities")] == [("J1", False), ("J2", True), ("J3", False)]


def test_preview_shows_the_item_and_recheck_reinstates_on_late_data(campaign, july):
    item(campaign)
    with time_machine.travel(beijing(2024, 8, 6), tick=False):
        preview = decisions.plan(campaign, up_to=DUE)
        assert ("extra:july-activities", DUE, 1, 2) in preview.evaluated
        assert sorted((c.leader_account, c.kind) for c in preview.changes) == [("J1", "close"), ("J3", "close")]
        assert CheckResult.objects.count() == 0  # a preview writes nothing

        decisions.decide(campaign, up_to=DUE, expect=preview.fingerprint())
    ActivityFactory(leader=july["J1"], created_at=beijing(2024, 7, 31))  # imported late

    with time_machine.travel(beijing(2024, 8, 7), tick=False):
        recheck = decisions.decide(campaign, up_to=None, recheck=True, cause="recheck")

    assert [(c.leader_account, c.kind) for c in recheck.changes] == [("J1", "reinstate")]
    assert verdicts("extra:july-activities")[0] == ("J1", True, {"activities": 2, "min_activities": 2})
    assert Leader.objects.get(leader_account="J1").status == LeaderStatus.PROBATION


@pytest.mark.parametrize("fields, error_field", [
    ({"code": "bad code"}, "code"),
    ({"code": "special:extra"}, "code"),
    ({"code": "basic:2024-09"}, "code"),
    ({"ends_at": beijing(2024, 6, 30)}, "ends_at"),
    ({"due_at": beijing(2024, 7, 31)}, "due_at"),
    ({"threshold": Decimal("1.5")}, "threshold"),
])
def test_an_item_must_be_well_formed(campaign, fields, error_field):
    values = {"campaign": campaign, "code": "ok:Item-1_a", "name": "n", "measure": "activities",
              "starts_at": JULY[0], "ends_at": JULY[1], "threshold": Decimal(1), "due_at": DUE, **fields}
    CheckItem(**{**values, **{"code": "ok:Item-1_a", "ends_at": JULY[1], "due_at": DUE, "threshold": 1}
                 }).full_clean()  # the well-formed one passes
    with pytest.raises(ValidationError) as error:
        CheckItem(**values).full_clean()
    assert list(error.value.message_dict) == [error_field]


def test_the_closure_notice_names_the_check_item_not_its_code(campaign):
    item(campaign, code="extra:july", threshold=2)
    application = ApplicationFactory(campaign=campaign, applicant=UserFactory(username="boss@example.com"))
    leader = LeaderFactory(campaign=campaign, leader_account="P01", application=application,
                           closed_at=beijing(2024, 8, 1), closure_reason="special:checkpoint;extra:july")

    rows = notices.notify_closed(leader)

    email = next(row for row in rows if row.channel == "email")
    assert "原因：纳新专项考核：阶段节点；七月推广活动" in email.body
    assert "extra:july" not in email.body


def test_item_names_are_looked_up_only_for_codes_that_are_not_built_in(campaign, django_assert_num_queries):
    item(campaign, code="extra:july")
    leader = LeaderFactory(campaign=campaign)

    with django_assert_num_queries(0):
        assert notices.check_item_names(leader, "basic:2024-05;special:checkpoint", "violation:fraud") is None
    with django_assert_num_queries(1):
        assert notices.check_item_names(leader, "basic:2024-05;extra:july", None) == {"extra:july": "七月推广活动"}
