"""Round 2 in the admin: the risk queue, assessments, re-runs, risk rules and the sanction list import."""

import io
from datetime import date, datetime
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from applications.enums import ApplicationStatus, EntityType
from recruitment.timeutils import beijing
from reviews import roles
from reviews.enums import RiskRuleCode, SanctionKind
from reviews.models import RiskAssessment, RiskRule, SanctionRecord
from reviews.risk import assess_risk
from tests.factories import UserFactory, credit_code
from tests.reviews.factories import (
    FilingFactory,
    SanctionRecordFactory,
    staff_with_role,
)

S = ApplicationStatus
QUEUE_URL = reverse("admin:reviews_riskqueue_changelist")
ASSESSMENTS_URL = reverse("admin:reviews_riskassessment_changelist")
SANCTIONS_URL = reverse("admin:reviews_sanctionrecord_changelist")
IMPORT_URL = reverse("admin:reviews_sanctionrecord_import")
PROCESS_URL = reverse("admin:reviews_sanctionrecord_process_import")
EXPORT_URL = reverse("admin:reviews_sanctionrecord_export")
NO_RISK_ROLES = [roles.ROUND1_REVIEWER, roles.FINAL_COMMITTEE, roles.OPERATIONS, None]


def login(client, role):
    user = staff_with_role(role) if role else UserFactory(is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def rejected(campaign):
    """A filed application rejected by the associated-accounts rule."""
    filing = FilingFactory(application__campaign=campaign, application__associated_accounts=["a", "b", "c", "d"])
    assess_risk(filing.application, now=beijing(2024, 4, 25, 12))
    filing.application.refresh_from_db()
    return filing.application


@pytest.fixture
def stuck(campaign):
    return FilingFactory(application__campaign=campaign, application__company_name="卡住的公司").application


# --- The queue and the assessments -------------------------------------------------------------------------


def test_risk_officer_sees_the_failed_rule_in_the_queue(client, rejected, stuck):
    login(client, roles.RISK_OFFICER)

    response = client.get(QUEUE_URL, {"status__exact": S.RISK_REJECTED})

    page = response.content.decode()
    assert [a.pk for a in response.context["cl"].result_list] == [rejected.pk]
    assert "关联账号不超过 3 个" in page
    assert "未通过" in page


def test_queue_change_page_shows_filing_and_the_data_of_each_rule(client, rejected):
    login(client, roles.RISK_OFFICER)

    page = client.get(reverse("admin:reviews_riskqueue_change", args=[rejected.pk])).content.decode()

    assert "王芳" in page  # the filing's legal representative
    assert (
        "<td>关联账号不超过 3 个</td><td>未通过</td><td><div>关联账号：a；b；c；d</div><div>上限：3</div></td>"
    ) in page
    assert "<td>申请主体为公司</td><td>通过</td>" in page


def test_assessment_admin_readable_by_risk_officer(client, rejected):
    login(client, roles.RISK_OFFICER)
    assessment = RiskAssessment.objects.get(application=rejected)

    listing = client.get(ASSESSMENTS_URL).content.decode()
    detail = client.get(reverse("admin:reviews_riskassessment_change", args=[assessment.pk])).content.decode()

    assert "关联账号不超过 3 个" in listing
    assert "<div>上限：3</div>" in detail
    assert 'name="_save"' not in detail  # read-only


def test_rejection_reason_in_the_audit_trail_names_the_rule_with_its_parameter(client, rejected):
    login(client, roles.RISK_OFFICER)

    response = client.get(reverse("admin:applications_application_change", args=[rejected.pk]))

    assert rejected.status_changes.get(to_status=S.RISK_REJECTED).reason == "max_associated_accounts"  # the data
    assertContains(response, '<td class="field-reason_text"><p>关联账号不超过 3 个</p></td>', html=True)


def test_rules_list_shows_each_rule_with_its_parameter(client, campaign):
    RiskRule.objects.filter(campaign=campaign, code=RiskRuleCode.MAX_ASSOCIATED_ACCOUNTS).update(parameter=5)
    login(client, roles.RISK_OFFICER)

    page = client.get(reverse("admin:reviews_riskrule_changelist")).content.decode()

    assert "关联账号不超过 5 个" in page
    assert "公司成立满 1 年" in page
    assert " N " not in page


@pytest.mark.parametrize("role", NO_RISK_ROLES)
def test_risk_pages_forbidden_to_other_roles(client, rejected, role):
    login(client, role)
    assessment = RiskAssessment.objects.get(application=rejected)

    assert client.get(QUEUE_URL).status_code == 403
    assert client.get(ASSESSMENTS_URL).status_code == 403
    assert client.get(reverse("admin:reviews_riskassessment_change", args=[assessment.pk])).status_code == 403
    assert client.get(SANCTIONS_URL).status_code == 403


def test_rerun_action_assesses_a_stuck_application(client, stuck, rejected):
    login(client, roles.RISK_OFFICER)

    response = client.post(
        QUEUE_URL, {"action": "rerun_assessment", "_selected_action": [stuck.pk, rejected.pk]}, follow=True
    )

    stuck.refresh_from_db()
    assert stuck.status == S.FINAL_REVIEW
    assert RiskAssessment.objects.filter(application=rejected).count() == 1
    assert sorted(str(m) for m in response.context["messages"]) == sorted([
        "卡住的公司：风险规则全部通过，已进入终审。",
        f"{rejected.company_name}：未评估。只有等待风险评估的申请可以评估，该申请当前为“风险评估未通过”。",
    ])


def test_campaign_admin_reads_the_queue_but_cannot_rerun(client, stuck):
    login(client, roles.CAMPAIGN_ADMIN)

    page = client.get(QUEUE_URL).content.decode()
    client.post(QUEUE_URL, {"action": "rerun_assessment", "_selected_action": [stuck.pk]})

    assert "卡住的公司" in page
    assert 'value="rerun_assessment"' not in page
    stuck.refresh_from_db()
    assert stuck.status == S.RISK_REVIEW
    assert RiskAssessment.objects.count() == 0


# --- Risk rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.RISK_OFFICER, roles.CAMPAIGN_ADMIN])
def test_rule_parameter_and_switch_edited_by_risk_officer_and_campaign_admin(client, campaign, role):
    login(client, role)
    rule = RiskRule.objects.get(campaign=campaign, code=RiskRuleCode.MAX_ASSOCIATED_ACCOUNTS)

    response = client.post(reverse("admin:reviews_riskrule_change", args=[rule.pk]), {"parameter": 5})

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.parameter, rule.enabled) == (5, False)


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.FINAL_COMMITTEE, roles.OPERATIONS])
def test_rules_not_editable_by_other_roles(client, campaign, role):
    login(client, role)
    rule = RiskRule.objects.get(campaign=campaign, code=RiskRuleCode.MAX_ASSOCIATED_ACCOUNTS)

    response = client.post(reverse("admin:reviews_riskrule_change", args=[rule.pk]), {"parameter": 9, "enabled": "on"})

    assert response.status_code == 403
    rule.refresh_from_db()
    assert (rule.parameter, rule.enabled) == (3, True)


# --- The sanction list -------------------------------------------------------------------------------------

CSV_HEADER = "淘宝联盟账号,统一社会信用代码,公司名称,类型,日期,活动代码,说明\n"


def import_csv(client, text):
    """Upload, then confirm, as a member of staff does; returns the confirmation response (or the first)."""
    upload = SimpleUploadedFile("sanctions.csv", text.encode("utf-8-sig"), content_type="text/csv")
    first = client.post(IMPORT_URL, {"import_file": upload, "format": "0"})
    confirm = first.context.get("confirm_form") if first.context else None
    if confirm is None:
        return first
    return client.post(PROCESS_URL, {**confirm.initial}, follow=True)


def test_risk_officer_imports_sanctions_with_chinese_headers(client, campaign):
    login(client, roles.RISK_OFFICER)
    text = CSV_HEADER + (
        f"mm_bad,,杭州甲公司,已清退,2024-01-10,,刷单\n"
        f",{credit_code(77)},杭州乙公司,violation,2023-05-01,2024-nx2,\n"
    )

    import_csv(client, text)
    import_csv(client, text)  # the same file again: updated, not duplicated

    rows = list(SanctionRecord.objects.order_by("occurred_on").values_list(
        "alliance_account", "credit_code", "kind", "occurred_on", "campaign__slug", "note"
    ))
    assert rows == [
        ("", credit_code(77), SanctionKind.VIOLATION, date(2023, 5, 1), "2024-nx2", ""),
        ("mm_bad", "", SanctionKind.CLEARED, date(2024, 1, 10), None, "刷单"),
    ]


def test_sanction_import_with_a_bad_row_imports_nothing(client, campaign):
    login(client, roles.RISK_OFFICER)
    text = CSV_HEADER + (
        "mm_ok,,甲公司,已清退,2024-01-10,,\n"
        ",,无名公司,已清退,2024-01-10,,\n"
        "mm_x,,丙公司,撤销,2024-01-10,,\n"
    )

    response = import_csv(client, text)

    page = response.content.decode()
    assert SanctionRecord.objects.count() == 0
    assert "未知类型“撤销”" in page
    assert 'name="_confirm"' not in page and "confirm_form" not in (response.context or {})


def test_sanction_export_has_chinese_headers_and_labels(client, db):
    login(client, roles.RISK_OFFICER)
    SanctionRecordFactory(alliance_account="mm_out", kind=SanctionKind.CLOSED, occurred_on=date(2023, 9, 1))

    response = client.post(EXPORT_URL, {"format": "0", **{f"sanctionrecordresource_{f}": "on" for f in (
                                            "alliance_account", "credit_code", "company_name", "kind",
                                            "occurred_on", "campaign", "note")}})

    text = b"".join(response).decode("utf-8-sig") if response.streaming else response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == CSV_HEADER.strip()
    assert text.splitlines()[1] == "mm_out,,某某网络科技有限公司,权限已关闭,2023-09-01,,"


SANCTION_COLUMNS = ("alliance_account", "credit_code", "company_name", "kind", "occurred_on", "campaign", "note")


def export_sanctions(client, file_format, *, query=""):
    data = {"format": {"csv": "0", "xlsx": "1"}[file_format],
            **{f"sanctionrecordresource_{f}": "on" for f in SANCTION_COLUMNS}}
    with time_machine.travel(beijing(2026, 11, 30, 8), tick=False):
        return client.post(EXPORT_URL + query, data)


def test_sanction_export_xlsx_writes_the_date_as_a_date_and_is_named_in_chinese(client, db):
    login(client, roles.RISK_OFFICER)
    SanctionRecordFactory(alliance_account="mm_out", kind=SanctionKind.CLOSED, occurred_on=date(2023, 9, 1))

    response = export_sanctions(client, "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        CSV_HEADER.strip().split(","),
        ["mm_out", None, "某某网络科技有限公司", "权限已关闭", datetime(2023, 9, 1), None, None],
    ]
    assert (sheet["E2"].data_type, sheet["E2"].number_format) == ("d", "yyyy-mm-dd")
    assert response["Content-Disposition"] == (
        'attachment; filename="sanction-list-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote('清退违规名单-2026-11-30.xlsx')}"
    )


def test_sanction_export_in_english_for_staff_who_chose_english(client, db):
    login(client, roles.RISK_OFFICER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    SanctionRecordFactory(alliance_account="mm_out", kind=SanctionKind.CLOSED, occurred_on=date(2023, 9, 1))

    response = export_sanctions(client, "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Taobao Alliance account", "Unified social credit code", "Company name", "Kind", "Date", "Campaign code",
         "Note"],
        ["mm_out", None, "某某网络科技有限公司", "Permission closed", datetime(2023, 9, 1), None, None],
    ]
    assert response["Content-Disposition"] == (
        'attachment; filename="sanction-list-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote('Sanction list-2026-11-30.xlsx')}"
    )


def test_sanction_export_filtered_to_a_campaign_names_it(client, campaign):
    login(client, roles.RISK_OFFICER)
    SanctionRecordFactory(campaign=campaign)

    response = export_sanctions(client, "csv", query=f"?campaign__id__exact={campaign.pk}")

    assert response["Content-Disposition"] == (
        'attachment; filename="sanction-list-2024-nx2-2026-11-30.csv"; '
        f"filename*=UTF-8''{quote('清退违规名单-淘宝联盟拓客型招商团长招募·纳新2.0（2024）-2026-11-30.csv')}"
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_exported_sanction_xlsx_imports_back_unchanged(client, campaign, language):
    login(client, roles.RISK_OFFICER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    SanctionRecordFactory(alliance_account="-mm_x", kind=SanctionKind.VIOLATION, occurred_on=date(2023, 9, 1),
                          campaign=campaign, note="@note")
    exported = export_sanctions(client, "xlsx").content
    SanctionRecord.objects.all().delete()

    upload = SimpleUploadedFile("sanctions.xlsx", exported)
    first = client.post(IMPORT_URL, {"import_file": upload, "format": "1"})
    client.post(PROCESS_URL, {**first.context["confirm_form"].initial})

    assert list(SanctionRecord.objects.values_list("alliance_account", "kind", "occurred_on", "campaign", "note")) == [
        ("-mm_x", SanctionKind.VIOLATION, date(2023, 9, 1), campaign.pk, "@note"),
    ]


def test_campaign_admin_views_sanctions_but_cannot_import(client, db):
    login(client, roles.CAMPAIGN_ADMIN)
    SanctionRecordFactory(alliance_account="mm_seen")

    assert "mm_seen" in client.get(SANCTIONS_URL).content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(reverse("admin:reviews_sanctionrecord_add"), {
        "alliance_account": "mm_new", "kind": SanctionKind.CLEARED, "occurred_on": "2024-01-01",
    }).status_code == 403
    assert SanctionRecord.objects.count() == 1


def test_risk_officer_adds_a_sanction_validated_by_the_model(client, db):
    login(client, roles.RISK_OFFICER)

    response = client.post(reverse("admin:reviews_sanctionrecord_add"), {
        "alliance_account": "", "credit_code": "", "kind": SanctionKind.CLEARED, "occurred_on": "2024-01-01",
    })

    assert response.status_code == 200
    assert SanctionRecord.objects.count() == 0


def test_risk_officer_sanction_feeds_the_rule(client, campaign):
    SanctionRecordFactory(alliance_account="mm_risky", occurred_on=date(2024, 3, 1))
    application = FilingFactory(application__campaign=campaign, application__alliance_account="mm_risky").application

    assess_risk(application, now=beijing(2024, 4, 25, 12))

    application.refresh_from_db()
    assert application.status == S.RISK_REJECTED
    assert application.entity_type == EntityType.COMPANY
