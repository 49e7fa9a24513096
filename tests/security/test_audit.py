"""Every admin decision and every export writes an audit event: who, what, on which object or
campaign, when, and the details (row count, format, outcome)."""

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.enums import ApplicationStatus, PendingDecision
from audit.models import AuditEvent
from probation.models import Leader
from recruitment.timeutils import beijing
from reviews import final, publication
from reviews.enums import CallOutcome
from tests.factories import credit_code
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import (
    FinalReviewApplicationFactory,
    ScoreSheetFactory,
    SubmittedApplicationFactory,
    judge_of,
    scored_by_committee,
)
from tests.security.test_admin_matrix import export_form_data

S = ApplicationStatus
NOW = beijing(2024, 5, 6, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def events():
    return [(e.actor_name, e.action, e.object_repr, e.campaign.slug if e.campaign else None, e.details)
            for e in AuditEvent.objects.order_by("id")]


def only_event():
    (event,) = AuditEvent.objects.all()
    assert event.created_at == NOW
    return event.actor_name, event.action, event.object_repr, event.campaign.slug if event.campaign else None


@pytest.mark.parametrize(("decision", "action"), [("pass", "round1_pass"), ("reject", "round1_reject")])
def test_round1_decision_is_audited(client, campaign, staff, decision, action):
    application = SubmittedApplicationFactory(campaign=campaign, company_name="初审公司")
    ticked = sorted(campaign.checklist_items.values_list("pk", flat=True)) if decision == "pass" else []
    client.force_login(staff["reviewer"])

    client.post(reverse("admin:reviews_round1queue_decide", args=[decision]),
                {"ids": str(application.pk), "reason": "资料不全", "checked_items": ticked})

    assert only_event() == ("staff-reviewer@example.com", action, "初审公司", "2024-nx2")
    assert AuditEvent.objects.get().details == {"reason": "资料不全", "checked_items": ticked}


def test_a_round1_pass_without_the_full_checklist_audits_the_written_reason(client, campaign, staff):
    application = SubmittedApplicationFactory(campaign=campaign, company_name="初审公司")
    client.force_login(staff["reviewer"])

    client.post(reverse("admin:reviews_round1queue_decide", args=["pass"]),
                {"ids": str(application.pk), "checklist_waiver": "资料已线下核验"})

    assert only_event() == ("staff-reviewer@example.com", "round1_pass", "初审公司", "2024-nx2")
    assert AuditEvent.objects.get().details == {"reason": "", "checked_items": [], "checklist_waiver": "资料已线下核验"}


def test_risk_rerun_is_audited(client, world, staff):
    client.force_login(staff["risk"])

    client.post(reverse("admin:reviews_riskqueue_changelist"),
                {"action": "rerun_assessment", "_selected_action": [world.risk.pk]})

    event = AuditEvent.objects.exclude(pk=world.audit_event.pk).get()
    assert (event.actor_name, event.action, event.object_id) == ("staff-risk@example.com", "risk_rerun",
                                                                 str(world.risk.pk))
    assert set(event.details) == {"assessment", "passed", "failed_rules"}


def test_score_sheet_is_audited(client, campaign, staff):
    application = FinalReviewApplicationFactory(campaign=campaign, company_name="终审公司")
    criteria = final.rubric_of(campaign)
    client.force_login(staff["committee"])
    data = {f"criterion_{c.pk}": c.max_score for c in criteria} | {"comment": "很好"}

    client.post(reverse("admin:reviews_finalreviewqueue_score", args=[application.pk]), data)

    assert only_event() == ("staff-committee@example.com", "score", "终审公司", "2024-nx2")
    assert AuditEvent.objects.get().details["weighted_score"] == "100.00"


@pytest.mark.parametrize(("decision", "action"),
                         [("select", "select"), ("not_select", "not_select"), ("clear", "clear_decision")])
def test_ranking_decisions_are_audited(client, campaign, staff, decision, action):
    application = FinalReviewApplicationFactory(campaign=campaign, company_name="排名公司")
    scored_by_committee(application)
    client.force_login(staff["admin"])

    client.post(reverse("admin:reviews_ranking_decide"), {"decision": decision, "application": application.pk})

    assert only_event() == ("staff-admin@example.com", action, "排名公司", "2024-nx2")
    assert AuditEvent.objects.get().details == {"via": "ranking"}


def test_a_selection_without_every_sheet_audits_the_reason_and_the_missing_members(client, campaign, staff):
    application = FinalReviewApplicationFactory(campaign=campaign, company_name="排名公司")
    ScoreSheetFactory(application=application, reviewer=staff["committee"])
    judge_of(campaign, username="judge-away")
    client.force_login(staff["admin"])

    client.post(reverse("admin:reviews_ranking_decide"),
                {"decision": "select", "application": application.pk, "override_reason": "judge-away 请假"})

    assert only_event() == ("staff-admin@example.com", "select", "排名公司", "2024-nx2")
    assert AuditEvent.objects.get().details == {
        "via": "ranking", "override_reason": "judge-away 请假", "missing_members": ["judge-away"],
    }


def test_decision_actions_of_the_queue_are_audited(client, campaign, staff):
    first = FinalReviewApplicationFactory(campaign=campaign)
    second = FinalReviewApplicationFactory(campaign=campaign)
    for application in (first, second):
        ScoreSheetFactory(application=application)
    client.force_login(staff["admin"])

    client.post(reverse("admin:reviews_finalreviewqueue_changelist"),
                {"action": "not_select_applications", "_selected_action": [first.pk, second.pk]})

    assert sorted((e.action, e.object_id, e.details["via"]) for e in AuditEvent.objects.all()) == sorted(
        [("not_select", str(first.pk), "action"), ("not_select", str(second.pk), "action")])


def test_publication_is_audited(client, campaign, staff):
    chosen = FinalReviewApplicationFactory(campaign=campaign)
    scored_by_committee(chosen, Decimal("90.00"))
    publication.record_decision(chosen, actor=staff["admin"], decision=PendingDecision.SELECTED)
    client.force_login(staff["admin"])

    client.post(reverse("admin:reviews_ranking_publish"), {"campaign": campaign.pk, "confirm": "yes"})

    assert events() == [("staff-admin@example.com", "publish", "", "2024-nx2", {"selected": 1, "not_selected": 0})]


def test_phone_call_is_audited(client, world, staff):
    client.force_login(staff["ops"])

    client.post(reverse("admin:reviews_phonetask_change", args=[world.phone_task.pk]),
                {"outcome": CallOutcome.REACHED, "note": "已接通"})

    event = AuditEvent.objects.exclude(pk=world.audit_event.pk).get()
    assert (event.action, event.object_id, event.details) == (
        "record_call", str(world.phone_task.application.pk),
        {"phone_task": world.phone_task.pk, "outcome": CallOutcome.REACHED})


def test_violation_is_audited(client, world, staff):
    client.force_login(staff["ops"])

    client.post(reverse("admin:probation_violation_add"), {"leader": world.leader.pk, "kind": "fake_orders",
                                                          "note": "刷单", "_confirmed": "1"})

    event = AuditEvent.objects.exclude(pk=world.audit_event.pk).get()
    assert (event.actor_name, event.action, event.object_id, event.details["kind"]) == (
        "staff-ops@example.com", "violation", str(world.leader.pk), "fake_orders")


def test_a_decision_and_the_data_mark_are_audited(client, campaign, staff):
    LeaderFactory(campaign=campaign, leader_account="P01")
    data_url = reverse("admin:probation_board_data")
    with time_machine.travel(beijing(2024, 6, 3, 9), tick=False):
        client.force_login(staff["admin"])
        fingerprint = client.get(data_url, {"campaign": campaign.slug, "through": "2024-05-31"}).context[
            "preview"]["fingerprint"]
        client.post(data_url, {"campaign": campaign.slug, "through": "2024-05-31", "fingerprint": fingerprint})

    events = list(AuditEvent.objects.order_by("pk").values_list("actor_name", "action", "details"))
    assert [(actor, action) for actor, action, _details in events] == [
        ("staff-admin@example.com", "data_mark"), ("staff-admin@example.com", "decide")]
    assert events[0][2] == {"from": None, "to": "2024-06-01T00:00:00+08:00"}
    assert (events[1][2]["closed"], events[1][2]["leaders"]) == (1, ["P01"])
    assert Leader.objects.get().status == "closed"


LEADERS_HEADER = "团长账号,公司名称,统一社会信用代码,授权时间\n"


@pytest.mark.parametrize(("text", "ok", "rows", "errors"), [
    (LEADERS_HEADER + f"P01,杭州一号网络科技有限公司,{credit_code(1)},2024-05-06 10:00:00\n", True, 1, 0),
    (LEADERS_HEADER + "P01,,bad,yesterday\n", False, 0, 1),
])
def test_data_import_is_audited_whatever_its_outcome(client, campaign, staff, text, ok, rows, errors):
    client.force_login(staff["ops"])
    upload = SimpleUploadedFile("leaders.csv", text.encode(), content_type="text/csv")

    client.post(reverse("admin:probation_dataimport_changelist"),
                {"kind": "leaders", "campaign": campaign.slug, "file": upload})

    event = AuditEvent.objects.get()
    assert (event.action, event.campaign, event.details["ok"], event.details["rows"] if ok else 0,
            event.details["errors"] > 0) == ("data_import", campaign, ok, rows, bool(errors))
    assert event.details["file"] == "leaders.csv"


def test_sanction_import_is_audited(client, campaign, staff):
    client.force_login(staff["risk"])
    text = ("淘宝联盟账号,统一社会信用代码,公司名称,类型,日期,活动代码,说明\n"
            "mm_bad,,杭州甲公司,已清退,2024-01-10,,刷单\n")
    first = client.post(reverse("admin:reviews_sanctionrecord_import"),
                        {"import_file": SimpleUploadedFile("s.csv", text.encode("utf-8-sig")), "format": "0"})
    assert AuditEvent.objects.count() == 0  # the preview is not an import

    client.post(reverse("admin:reviews_sanctionrecord_process_import"), {**first.context["confirm_form"].initial})

    event = AuditEvent.objects.get()
    assert (event.action, event.details["rows"], event.details["totals"]["new"]) == ("sanction_import", 1, 1)


EXPORTS = [
    ("applications_application_export", "admin", "export_applications"),
    ("reviews_sanctionrecord_export", "risk", "export_sanctions"),
    ("probation_leader_export", "ops", "export_leaders"),
]


@pytest.mark.parametrize(("url_name", "column", "action"), EXPORTS)
def test_admin_exports_are_audited_with_format_and_row_count(client, admin_client, world, staff, url_name, column,
                                                             action):
    data = export_form_data(admin_client.get(reverse(f"admin:{url_name}")).context["form"])
    client.force_login(staff[column])

    client.post(reverse(f"admin:{url_name}"), data)
    client.get(reverse(f"admin:{url_name}"))  # the form page alone exports nothing

    event = AuditEvent.objects.exclude(pk=world.audit_event.pk).get()
    model = {"export_applications": "applications.Application", "export_sanctions": "reviews.SanctionRecord",
             "export_leaders": "probation.Leader"}[action]
    assert (event.actor_name, event.action, event.details["format"], event.details["model"]) == (
        f"staff-{column}@example.com", action, "csv", model)
    assert event.details["rows"] == {"export_applications": 5, "export_sanctions": 1, "export_leaders": 1}[action]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_ranking_export_is_audited(client, campaign, staff, file_format):
    FinalReviewApplicationFactory(campaign=campaign)
    client.force_login(staff["admin"])

    client.get(reverse("admin:reviews_ranking_export"), {"campaign": campaign.pk, "format": file_format})

    assert events() == [("staff-admin@example.com", "export_ranking", "", "2024-nx2",
                         {"format": file_format, "rows": 1})]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_probation_report_export_is_audited(client, world, staff, file_format):
    client.force_login(staff["ops"])

    client.get(reverse("admin:probation_board_report"), {"campaign": world.campaign.slug, "format": file_format})

    event = AuditEvent.objects.exclude(pk=world.audit_event.pk).get()
    assert (event.action, event.campaign, event.details) == (
        "export_probation_report", world.campaign, {"format": file_format, "rows": 1})


@pytest.mark.parametrize("column", ["reviewer", "risk", "committee", "ops", "admin", "none"])
def test_audit_log_is_read_only_and_for_the_campaign_admin(client, world, staff, column):
    client.force_login(staff[column])

    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[world.audit_event.pk]), {"post": "yes"})

    assert (listing.status_code, delete.status_code) == ((200, 403) if column == "admin" else (403, 403))
    assert AuditEvent.objects.filter(pk=world.audit_event.pk).exists()
