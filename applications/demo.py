"""Demo applicants (``manage.py seed_demo``, run by ``reviews.demo.seed``): answers, cases, files, and the
story of each application told at moments that agree with its campaign's calendar.

Each demo application is built through the domain functions (``transition`` and the review rounds),
which stamp their rows with the clock of the seed; ``retell`` then moves those stamps to the moments the
story happened (created in the window, submitted before the deadline, decided in the review period…),
so every timeline reads in order. Every applicant is one person of ``PEOPLE``: a contact name and a
mobile number nobody else in the demo has.
"""

from datetime import date, timedelta

from django.core.files.base import ContentFile

from notifications.models import Notification
from recruitment import timeutils
from recruitment.demo import APPLICANT_PASSWORD, Login, demo_user
from recruitment.validators import credit_code_check_char

from .enums import ApplicationStatus, AttachmentKind, EntityType, PreviousPermissionOutcome
from .models import Application, Attachment, CooperationCase, StatusChange
from .services import transition

# Contact persons of the demo applications, one per applicant number ``n`` (1 … len(PEOPLE)).
PEOPLE = [
    "周婷", "李娜", "王强", "刘洋", "陈静", "杨帆", "黄磊", "吴敏", "徐鹏", "孙丽",
    "胡军", "朱琳", "高翔", "林涛", "何芳", "郭亮", "马超", "罗娟", "梁宇", "宋佳",
    "郑浩", "谢婷", "韩梅", "唐杰", "冯雪", "于洋", "董倩", "萧然", "程琪", "曹阳",
]


def person(n):
    """``(contact name, mobile)`` of demo applicant ``n``: distinct for every ``n``."""
    return PEOPLE[n - 1], f"1370000{n:04d}"


def demo_credit_code(n):
    first17 = f"91330106MA2{n:06d}"
    return first17 + credit_code_check_char(first17)


def full_years(start, end):
    """Whole years from ``start`` to ``end`` (dates): 经营年限 as of ``end``."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def founded_on(n):
    """The demo company's incorporation date (2016 … 2020): over a year before any demo campaign."""
    return date(2016 + n % 5, 1 + n % 12, 1)


def identity_answers(n, company):
    contact, mobile = person(n)
    return {
        "alliance_account": f"mm_demo_{1000 + n}",
        "company_name": company,
        "credit_code": demo_credit_code(n),
        "contact_name": contact,
        "mobile": mobile,
    }


def complete_answers(n, company, *, campaign, incorporated_on=None):
    """Every question answered, as the questionnaire requires for submission. The years in business are
    those from ``incorporated_on`` to the opening of ``campaign``'s window."""
    incorporated_on = incorporated_on or founded_on(n)
    return {
        **identity_answers(n, company),
        "incorporated_on": incorporated_on,
        "registered_capital": 100 * n,
        "email": f"contact{n}@example.com",
        "dingtalk_id": f"demo_ding_{n}",
        "entity_type": EntityType.COMPANY,
        "associated_accounts": [f"mm_demo_{2000 + n}"],
        "previous_permission": PreviousPermissionOutcome.NEVER,
        "years_in_business": full_years(incorporated_on, timeutils.local(campaign.application_opens_at).date()),
        "team_total": 10 * n,
        "team_recruiting": 4 * n,
        "team_operations": 3 * n,
        "has_offsite_promotion": True,
        "offsite_promotion_detail": "微信社群与小红书种草，月均带动成交 150 万元",
        "other_platform_roles": ["douyin", "kuaishou"],
        "other_platform_detail": "抖音精选联盟团长两年，快手团长一年",
        "other_alliance_identities": "淘宝联盟内容推广者",
        "new_merchants_available": 10 * n,
        "new_merchant_examples": "产业带源头工厂若干家，尚未开通淘宝客",
        "industries": "食品生鲜、家居日用",
        "channel_resources": "产业带商会合作、线下招商会",
        "has_exclusive_channels": n % 2 == 1,
        "exclusive_channels_detail": "独家代理一家产业带服务平台" if n % 2 == 1 else "",
        "target_gmv": 200 * n,
        "target_new_merchants": 5 * n,
        "media_plan": "每月投入 5 万元用于站外内容投放",
        "declaration_accepted": True,
    }


# login, what the account shows, stage, company, number of cases, number of attachments; applicant n is the
# row's position (1 …).
APPLICANTS = [
    ("13900000001", "no application yet", "none", "", 0, 0),
    ("half-draft@example.com", "half-filled draft", "half_draft", "杭州半程网络科技有限公司", 0, 0),
    ("13900000003", "complete draft, ready to submit", "complete_draft", "宁波整装电子商务有限公司", 1, 1),
    ("submitted-1@example.com", "submitted", "submitted", "义乌源头好物供应链有限公司", 2, 2),
    ("13900000005", "submitted", "submitted", "温州产业带数字营销有限公司", 1, 1),
    ("withdrawn@example.com", "withdrawn", "withdrawn", "金华撤回示例贸易有限公司", 1, 1),
]


def seed_applicants(campaign, *, now):
    """Applicants of the current demo campaign, at each step of the questionnaire. Applicant ``n`` started
    ``n`` days after the window opened (never later than yesterday); a submission came a day after its
    draft, a withdrawal half a day later."""
    logins = []
    opens = timeutils.local(campaign.application_opens_at)
    for n, (login, role, stage, company, cases, attachments) in enumerate(APPLICANTS, start=1):
        user = demo_user(login)
        logins.append(Login(f"applicant: {role}", login, APPLICANT_PASSWORD))
        if stage == "none":
            continue
        if stage == "half_draft":
            answers = identity_answers(n, company)
        else:
            answers = complete_answers(n, company, campaign=campaign)
        application, created = Application.objects.get_or_create(campaign=campaign, applicant=user, defaults=answers)
        if not created:
            continue
        for i in range(1, cases + 1):
            add_case(application, i)
        for i in range(1, attachments + 1):
            add_pdf_attachment(application, user, i)
        started = min(opens + timedelta(days=n, hours=9), timeutils.local(now) - timedelta(days=1, hours=n))
        moments = {}
        if stage in ("submitted", "withdrawn"):
            transition(application, ApplicationStatus.SUBMITTED, actor=user, reason="")
            moments[ApplicationStatus.SUBMITTED] = started + timedelta(hours=20)
        if stage == "withdrawn":
            transition(application, ApplicationStatus.WITHDRAWN, actor=user, reason="申请人主动撤回（演示数据）")
            moments[ApplicationStatus.WITHDRAWN] = started + timedelta(hours=32)
        retell(application, created=started, moments=moments)
    return logins


def add_case(application, i):
    return CooperationCase.objects.create(
        application=application,
        merchant_name=f"{application.company_name[:2]}合作品牌{i}",
        platform="抖音" if i % 2 else "快手",
        industry="食品",
        period="2023-06 至 2023-11",
        gmv=80 * i,
        description="负责商家招募与直播排期，半年带动成交数十万元",
    )


def add_pdf_attachment(application, user, i):
    """A small generated PDF saved through the FileField (MEDIA_ROOT), like an upload."""
    data = tiny_pdf(f"Demo supporting file {i} - {application.alliance_account}")
    attachment = Attachment(
        application=application,
        kind=AttachmentKind.SUPPORTING,
        original_name=f"demo-material-{i}.pdf",
        content_type="application/pdf",
        size=len(data),
        description="演示材料" if i == 1 else "营业执照（演示）",
        uploaded_by=user,
    )
    attachment.file.save(attachment.original_name, ContentFile(data), save=True)
    return attachment


def tiny_pdf(text):
    """A valid one-page PDF (correct cross-reference offsets) showing one line of ASCII ``text``."""
    escaped = text.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    content = b"BT /F1 16 Tf 72 770 Td (" + escaped + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def retell(application, *, created, moments):
    """Move the stamps of ``application``'s history to the moments of its story.

    ``created`` is when the draft was started (its cases and files were added then); ``moments`` maps each
    status the application moved to (one ``StatusChange`` each) to when that happened. The application's
    own dates follow (``submitted_at``, ``withdrawn_at``, ``updated_at``), and each notice about it takes
    the moment of the latest change made before it. Rows of later rounds are the caller's (``reviews.demo``).
    Demo data only: real rows keep the clock of the moment they were written.
    """
    changes = list(StatusChange.objects.filter(application=application).order_by("created_at", "id"))
    for change in changes:
        StatusChange.objects.filter(pk=change.pk).update(created_at=moments[change.to_status])
    last = max([created, *moments.values()])
    fields = {"created_at": created, "updated_at": last}
    if ApplicationStatus.SUBMITTED in moments:
        fields["submitted_at"] = moments[ApplicationStatus.SUBMITTED]
    if ApplicationStatus.WITHDRAWN in moments:
        fields["withdrawn_at"] = moments[ApplicationStatus.WITHDRAWN]
    if application.confirmation_sent_at is not None:  # the confirmation went out on submission
        fields["confirmation_sent_at"] = moments[ApplicationStatus.SUBMITTED]
    Application.objects.filter(pk=application.pk).update(**fields)
    Attachment.objects.filter(application=application).update(uploaded_at=created)
    # A notice follows the change that caused it: the change recorded last before the notice's row.
    for notification in Notification.objects.filter(application=application).order_by("id"):
        before = [c for c in changes if c.created_at <= notification.created_at] or changes[:1]
        moment = moments[before[-1].to_status] if before else created
        Notification.objects.filter(pk=notification.pk).update(
            created_at=moment, sent_at=moment if notification.sent_at else None
        )
    application.refresh_from_db()
    return application
