import csv
import io

import openpyxl
import pytest
import time_machine
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicationStatus
from applications.models import Application, StatusChange
from applications.resources import ApplicationResource
from applications.services import transition
from recruitment.timeutils import beijing
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    CooperationCaseFactory,
    UserFactory,
    credit_code,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:applications_application_changelist"
EXPORT = "admin:applications_application_export"

EXPORT_HEADER = [
    "申请编号",
    "活动",
    "状态",
    "提交时间",
    "申请人登录名",
    "淘宝联盟账号",
    "公司名称",
    "统一社会信用代码",
    "成立日期",
    "注册资本（万元）",
    "联系人",
    "联系人手机号",
    "联系邮箱",
    "钉钉号",
    "主体类型",
    "关联联盟账号",
    "此前是否持有团长权限",
    "关闭或清退日期",
    "经营年限",
    "团队总人数",
    "招商人员",
    "运营人员",
    "站外推广经验",
    "站外推广说明",
    "其他平台团长角色",
    "其他平台角色说明",
    "淘宝联盟其他合作身份",
    "可引入的未开通淘宝客商家数",
    "商家示例",
    "细分行业专长",
    "渠道资源",
    "独家推广渠道",
    "独家渠道说明",
    "目标招商成交规模（万元）",
    "目标新商家数",
    "媒体投入计划",
    "已接受声明",
    "合作案例数",
    "附件数",
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff(*codenames):
    """A staff user holding exactly the given permissions of the applications app."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="applications", codename__in=codenames))
    return user


def submitted(application, when):
    transition(
        application,
        ApplicationStatus.SUBMITTED,
        actor=application.applicant,
        reason="问卷提交",
        fields={"submitted_at": when},
    )
    return application


def export_form(file_format):
    """The admin export form as the browser posts it: every column ticked."""
    data = {"format": {"csv": "0", "xlsx": "1"}[file_format], "resource": "0"}
    data.update({f"applicationresource_{name}": "on" for name in ApplicationResource().get_export_order()})
    return data


@pytest.fixture
def application(campaign):
    applicant = UserFactory(username="applicant-a@example.com")
    app = ApplicationFactory(
        campaign=campaign,
        applicant=applicant,
        alliance_account="mm_100001",
        company_name="杭州拓客一号网络科技有限公司",
        credit_code=credit_code(1),
        mobile="13800000001",
        email="contact1@example.com",
        dingtalk_id="ding1",
        associated_accounts=["mm_assoc_1", "mm_assoc_2"],
        other_platform_roles=["douyin", "pdd"],
    )
    CooperationCaseFactory(application=app, merchant_name="三只松鼠旗舰店")
    CooperationCaseFactory(application=app, merchant_name="义乌袜业工厂")
    AttachmentFactory(application=app, original_name="营业执照.pdf", size=2048)
    with time_machine.travel(beijing(2024, 4, 20, 10, 30, 5), tick=False):
        return submitted(app, beijing(2024, 4, 20, 10, 30, 5))


@pytest.fixture
def other(campaign):
    return ApplicationFactory(
        campaign=campaign,
        alliance_account="mm_200002",
        company_name="宁波云仓电子商务有限公司",
        credit_code=credit_code(2),
        mobile="13900000002",
        applicant=UserFactory(username="13900000002", email="boss@ningbo.example.com"),
    )


# --- Changelist -------------------------------------------------------------------------------------


def test_changelist_shows_applications_with_chinese_headers(admin_client, application, other):
    response = admin_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    cl = response.context["cl"]
    assert [header["text"] for header in result_headers(cl)] == [
        "公司名称",
        "淘宝联盟账号",
        "统一社会信用代码",
        "联系人",
        "联系人手机号",
        "状态",
        "提交时间",
        "活动",
    ]
    assert list(cl.result_list) == [application, other]
    assertContains(response, "杭州拓客一号网络科技有限公司", count=1)


@pytest.mark.parametrize(
    "term",
    ["一号网络", credit_code(1), "mm_100001", "13800000001", "applicant-a@example.com"],
    ids=["company", "credit_code", "account", "mobile", "applicant_login"],
)
def test_changelist_search_finds_exactly_the_matching_application(admin_client, application, other, term):
    response = admin_client.get(reverse(CHANGELIST), {"q": term})

    assert list(response.context["cl"].result_list) == [application]


def test_changelist_search_by_applicant_email_finds_the_other_application(admin_client, application, other):
    response = admin_client.get(reverse(CHANGELIST), {"q": "boss@ningbo"})

    assert list(response.context["cl"].result_list) == [other]


@pytest.mark.parametrize(
    ("status", "expected"), [("submitted", ["application"]), ("draft", ["other"]), ("withdrawn", [])]
)
def test_changelist_filters_by_status(admin_client, application, other, status, expected):
    response = admin_client.get(reverse(CHANGELIST), {"status__exact": status})

    rows = {"application": application, "other": other}
    assert list(response.context["cl"].result_list) == [rows[name] for name in expected]


def test_changelist_query_count_does_not_grow_with_rows(admin_client, campaign):
    def add_applications(start, count):
        users = UserFactory._meta.model.objects.bulk_create(
            UserFactory._meta.model(username=f"bulk{n}@example.com", password="!") for n in range(start, start + count)
        )
        Application.objects.bulk_create(
            Application(
                campaign=campaign,
                applicant=user,
                alliance_account=f"mm_bulk_{n}",
                company_name=f"批量{n}号公司",
                status=ApplicationStatus.SUBMITTED,
                submitted_at=beijing(2024, 4, 10),
            )
            for n, user in enumerate(users, start=start)
        )

    add_applications(0, 10)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(reverse(CHANGELIST)).status_code == 200
    add_applications(10, 990)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(reverse(CHANGELIST))

    assert response.context["cl"].result_count == 1000
    assert len(many) == len(few)


# --- Change page --------------------------------------------------------------------------------


def test_change_page_shows_every_answer_read_only(admin_client, application):
    response = admin_client.get(reverse("admin:applications_application_change", args=[application.pk]))

    assert response.status_code == 200
    assert [fieldset.name for fieldset in response.context["adminform"]] == [
        "申请状态与时间",
        "主体信息",
        "风险信息",
        "通用资质",
        "重点考核",
        "声明",
    ]
    assertContains(response, '<div class="readonly">杭州拓客一号网络科技有限公司</div>', html=True)
    assertContains(response, f'<div class="readonly">{credit_code(1)}</div>', html=True)
    assertContains(response, '<div class="readonly">已提交</div>', html=True)
    assertContains(response, '<div class="readonly">mm_assoc_1、mm_assoc_2</div>', html=True)
    assertContains(response, '<div class="readonly">抖音、拼多多</div>', html=True)
    assertContains(response, '<div class="readonly">公司（企业法人）</div>', html=True)
    assertContains(response, '<div class="readonly">2024年4月20日 10:30</div>', html=True)
    assertNotContains(response, 'name="company_name"')
    assertNotContains(response, 'name="status"')
    assertNotContains(response, 'name="_save"')


def test_change_page_shows_cases_attachments_and_audit_trail(admin_client, application):
    response = admin_client.get(reverse("admin:applications_application_change", args=[application.pk]))

    assertContains(response, '<td class="field-merchant_name"><p>三只松鼠旗舰店</p></td>', html=True)
    assertContains(response, '<td class="field-merchant_name"><p>义乌袜业工厂</p></td>', html=True)
    assertContains(response, '<td class="field-human_size"><p>2.0\xa0KB</p></td>', html=True)
    attachment = application.attachments.get()
    try:
        url = reverse("applications:attachment", args=[attachment.pk])
    except NoReverseMatch:
        assertContains(response, '<td class="field-download"><p>营业执照.pdf</p></td>', html=True)
    else:
        assertContains(response, f'<td class="field-download"><p><a href="{url}">营业执照.pdf</a></p></td>', html=True)
    actor = reverse("admin:accounts_user_change", args=[application.applicant.pk])
    assertContains(
        response, f'<td class="field-actor"><p><a href="{actor}">applicant-a@example.com</a></p></td>', html=True
    )
    assertContains(response, '<td class="field-created_at"><p>2024年4月20日 10:30</p></td>', html=True)
    assertContains(response, '<td class="field-from_status"><p>草稿</p></td>', html=True)
    assertContains(response, '<td class="field-to_status"><p>已提交</p></td>', html=True)
    assertContains(response, '<td class="field-reason_text"><p>问卷提交</p></td>', html=True)
    # Read-only inlines: no form fields for the related rows.
    assertNotContains(response, 'name="cases-0-merchant_name"')
    assertNotContains(response, 'name="attachments-0-file"')


def test_change_page_post_changes_nothing(admin_client, application):
    url = reverse("admin:applications_application_change", args=[application.pk])

    response = admin_client.post(url, {"company_name": "改过的名字", "status": "draft"})

    application.refresh_from_db()
    assert response.status_code == 403
    assert (application.company_name, application.status) == ("杭州拓客一号网络科技有限公司", "submitted")
    assert StatusChange.objects.filter(application=application).count() == 1


def test_no_add_and_no_delete_even_for_a_superuser(admin_client, application):
    add = admin_client.get(reverse("admin:applications_application_add"))
    delete = admin_client.post(reverse("admin:applications_application_delete", args=[application.pk]), {"post": "yes"})
    changelist = admin_client.get(reverse(CHANGELIST))

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Application.objects.filter(pk=application.pk).exists()
    assertNotContains(changelist, reverse("admin:applications_application_add"))
    assertNotContains(changelist, "delete_selected")


# --- Permissions -----------------------------------------------------------------------------------


def test_non_staff_user_is_sent_to_the_admin_login(client, application):
    client.force_login(UserFactory())

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={reverse(CHANGELIST)}"


def test_staff_without_permission_gets_403(client, application):
    client.force_login(staff())

    changelist = client.get(reverse(CHANGELIST))
    change = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    export = client.post(reverse(EXPORT), export_form("csv"))

    assert (changelist.status_code, change.status_code, export.status_code) == (403, 403, 403)


def test_staff_with_view_permission_reads_everything_but_cannot_save(client, application):
    client.force_login(staff("view_application"))

    changelist = client.get(reverse(CHANGELIST))
    change = client.get(reverse("admin:applications_application_change", args=[application.pk]))

    assert list(changelist.context["cl"].result_list) == [application]
    assertContains(change, '<div class="readonly">杭州拓客一号网络科技有限公司</div>', html=True)
    assertContains(change, '<td class="field-merchant_name"><p>三只松鼠旗舰店</p></td>', html=True)
    assertContains(change, '<td class="field-to_status"><p>已提交</p></td>', html=True)
    assertNotContains(change, 'name="_save"')
    assertNotContains(change, 'name="_continue"')


def test_staff_with_view_permission_can_export(client, application):
    client.force_login(staff("view_application"))

    response = client.post(reverse(EXPORT), export_form("csv"))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[6] for row in rows] == ["公司名称", "杭州拓客一号网络科技有限公司"]


# --- Export ---------------------------------------------------------------------------------------


def test_export_page_offers_csv_and_xlsx_and_chinese_column_ticks(admin_client):
    response = admin_client.get(reverse(EXPORT))

    form = response.context["form"]
    assert form.fields["format"].choices == [("", "---"), ("0", "csv"), ("1", "xlsx")]
    ticks = [str(field.label) for name, field in form.fields.items() if name.startswith("applicationresource_")]
    assert ticks == EXPORT_HEADER


def test_export_csv_has_chinese_headers_and_readable_values(admin_client, application, campaign):
    response = admin_client.post(reverse(EXPORT), export_form("csv"))

    assert response["Content-Type"] == "text/csv"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_HEADER
    assert rows[1] == [
        str(application.pk),
        campaign.name,
        "已提交",
        "2024-04-20 10:30:05",
        "applicant-a@example.com",
        "mm_100001",
        "杭州拓客一号网络科技有限公司",
        credit_code(1),
        "2019-03-01",
        "500.00",
        "张伟",
        "13800000001",
        "contact1@example.com",
        "ding1",
        "公司（企业法人）",
        "mm_assoc_1、mm_assoc_2",
        "从未开通过招商团长权限",
        "",
        "5",
        "30",
        "12",
        "8",
        "是",
        "微信社群与小红书种草，月均带动成交 200 万元",
        "抖音、拼多多",
        "抖音精选联盟团长两年",
        "",
        "40",
        "义乌小商品源头工厂 15 家，未开通淘宝客",
        "食品生鲜、家居日用",
        "产业带商会合作、线下招商会",
        "是",
        "独家代理两家产业带服务平台",
        "800.00",
        "20",
        "每月投入 10 万元用于站外内容投放",
        "是",
        "2",
        "1",
    ]
    assert len(rows) == 2


def test_export_respects_the_changelist_filter(admin_client, application, other):
    response = admin_client.post(reverse(EXPORT) + "?status__exact=draft", export_form("csv"))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[6] for row in rows[1:]] == ["宁波云仓电子商务有限公司"]


def test_export_xlsx_has_the_same_header(admin_client, application):
    response = admin_client.post(reverse(EXPORT), export_form("xlsx"))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADER
    assert rows[1][6] == "杭州拓客一号网络科技有限公司"
    assert rows[1][-2:] == (2, 1)


def test_export_neutralises_spreadsheet_formulas(admin_client, application):
    Application.objects.filter(pk=application.pk).update(media_plan="=HYPERLINK(\"http://evil\")")

    response = admin_client.post(reverse(EXPORT), export_form("csv"))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][EXPORT_HEADER.index("媒体投入计划")] == "'=HYPERLINK(\"http://evil\")"


def test_export_query_count_does_not_grow_with_rows(admin_client, campaign):
    def export_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(reverse(EXPORT), export_form("csv"))
        assert response.status_code == 200
        return len(queries)

    for _ in range(2):
        CooperationCaseFactory(application=ApplicationFactory(campaign=campaign))
    few = export_queries()
    for _ in range(8):
        AttachmentFactory(application=CooperationCaseFactory(application=ApplicationFactory(campaign=campaign)).application)

    assert export_queries() == few
