"""Demo data for ``make run`` (``manage.py seed_demo``): a newcomer can try every step today.

The 2024 campaign is in the past, so the seed adds a demo campaign with the same rules and its
calendar shifted around the current date (application window open now), makes it current, and
creates applicants at each stage of the questionnaire. One function per stage; later issues add
their own stages (review rounds, probation leaders) to ``seed()``.

Every stage is idempotent: rows are looked up by their natural key and only created when missing,
so a second run creates nothing and prints the same logins. Status changes go through
``applications.services.transition`` so the demo has an audit trail like real data.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from applications.enums import ApplicationStatus, AttachmentKind, EntityType, PreviousPermissionOutcome
from applications.models import Application, Attachment, CooperationCase
from applications.services import transition

from . import services, timeutils
from .models import BasicCheckMonth, Campaign
from .validators import credit_code_check_char

TEMPLATE_SLUG = "2024-nx2"
DEMO_SLUG = "demo"
DEMO_NAME = "演示活动 · 拓客型招商团长招募（日程按今天平移）"
# The demo window closes this many days after the day of seeding (23:59:59 Beijing time, like 2024).
WINDOW_DAYS_LEFT = 14

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "demo-admin-2024"
APPLICANT_PASSWORD = "demo-pass-2024"


@dataclass(frozen=True)
class Login:
    """One line of the command's output: who this account is, and how to log in."""

    role: str
    login: str
    password: str


class TemplateCampaignMissing(Exception):
    """The 2024 campaign (created by migration) is not in the database: nothing to copy rules from."""


# --- Stage: staff ----------------------------------------------------------------------------------


def seed_admin():
    """The staff superuser. Its password is set when the account is created, not on later runs."""
    user, created = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"},
    )
    if created:
        user.set_password(ADMIN_PASSWORD)
        user.save(update_fields=["password"])
    return user, [Login("staff superuser (admin site /admin/)", ADMIN_USERNAME, ADMIN_PASSWORD)]


# --- Stage: the demo campaign ----------------------------------------------------------------------

# Not rules: the demo campaign has its own identity and its own timestamps.
NOT_COPIED = {"id", "slug", "name", "summary", "is_current", "published_at", "created_at", "updated_at"}


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def first_month_start_on_or_after(day):
    return day if day.day == 1 else add_months(day, 1)


def shift_for(template_day, target_day):
    """The whole-day shift that moves ``template_day`` (a date of the 2024 calendar) to ``target_day``."""
    return target_day - template_day


def shifted_campaign(template, *, shift, slug=DEMO_SLUG, name=DEMO_NAME):
    """An unsaved copy of ``template`` with every date and instant moved by ``shift`` (whole days).

    Wall-clock times are kept, so relative offsets are those of 2024. Rules and thresholds are copied
    field by field, so fields added to ``Campaign`` later are copied too.
    """
    campaign = Campaign(slug=slug, name=name, summary=template.summary, is_current=False)
    for field in Campaign._meta.concrete_fields:
        if field.name in NOT_COPIED:
            continue
        value = getattr(template, field.attname)
        if isinstance(field, models.DateTimeField) and value is not None:
            value = timeutils.local(value) + shift
        elif isinstance(field, models.DateField) and value is not None:
            value = value + shift
        setattr(campaign, field.attname, value)
    return campaign


def demo_shift(template, today):
    """The application window closes ``WINDOW_DAYS_LEFT`` days after ``today``."""
    return shift_for(timeutils.local(template.application_closes_at).date(), today + timedelta(days=WINDOW_DAYS_LEFT))


def shifted_basic_months(template, campaign):
    """The template's monthly thresholds on whole natural months inside the demo probation.

    2024's basic months start with the probation (May); the demo probation rarely starts on the 1st,
    so the months start with the first whole month of the demo probation and follow one another.
    """
    template_months = list(template.basic_months.order_by("month"))
    if not template_months:
        return []
    first = first_month_start_on_or_after(campaign.probation_starts_on)
    origin = template_months[0].month
    rows = []
    for row in template_months:
        months_after = (row.month.year - origin.year) * 12 + row.month.month - origin.month
        rows.append(
            BasicCheckMonth(
                campaign=campaign,
                month=add_months(first, months_after),
                min_activities=row.min_activities,
                min_merchants=row.min_merchants,
                min_items=row.min_items,
                min_gmv=row.min_gmv,
            )
        )
    return rows


def seed_demo_campaign(*, now, actor):
    """The demo campaign, created on the first run (its calendar is not moved again later), made current.

    The 2024 campaign stays in the database, no longer current.
    """
    campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
    if campaign is None:
        template = Campaign.objects.filter(slug=TEMPLATE_SLUG).first()
        if template is None:
            raise TemplateCampaignMissing(f"The campaign {TEMPLATE_SLUG!r} is missing: run manage.py migrate.")
        campaign = shifted_campaign(template, shift=demo_shift(template, timeutils.local(now).date()))
        campaign.full_clean()
        campaign.save()
        BasicCheckMonth.objects.bulk_create(shifted_basic_months(template, campaign))
    services.make_current(campaign, actor=actor)
    return campaign


# --- Stage: applicants at each step of the questionnaire -------------------------------------------


def demo_credit_code(n):
    first17 = f"91330106MA2{n:06d}"
    return first17 + credit_code_check_char(first17)


def identity_answers(n, company, contact, mobile):
    return {
        "alliance_account": f"mm_demo_{1000 + n}",
        "company_name": company,
        "credit_code": demo_credit_code(n),
        "contact_name": contact,
        "mobile": mobile,
    }


def complete_answers(n, company, contact, mobile):
    """Every question answered, as the questionnaire requires for submission."""
    return {
        **identity_answers(n, company, contact, mobile),
        "incorporated_on": date(2016 + n % 5, 1 + n % 12, 1),
        "registered_capital": 100 * n,
        "email": f"contact{n}@example.com",
        "dingtalk_id": f"demo_ding_{n}",
        "entity_type": EntityType.COMPANY,
        "associated_accounts": [f"mm_demo_{2000 + n}"],
        "previous_permission": PreviousPermissionOutcome.NEVER,
        "years_in_business": 3 + n,
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


# login, what the account shows, stage, company, contact, number of cases, number of attachments
APPLICANTS = [
    ("13900000001", "no application yet", "none", "", "", 0, 0),
    ("half-draft@example.com", "half-filled draft", "half_draft", "杭州半程网络科技有限公司", "李娜", 0, 0),
    ("13900000003", "complete draft, ready to submit", "complete_draft", "宁波整装电子商务有限公司", "王强", 1, 1),
    ("submitted-1@example.com", "submitted", "submitted", "义乌源头好物供应链有限公司", "刘洋", 2, 2),
    ("13900000005", "submitted", "submitted", "温州产业带数字营销有限公司", "陈静", 1, 1),
    ("withdrawn@example.com", "withdrawn", "withdrawn", "金华撤回示例贸易有限公司", "杨帆", 1, 1),
]


def demo_user(login):
    """An applicant account; ``login`` is its identifier (a mobile number or an e-mail address)."""
    is_mobile = "@" not in login
    user, created = get_user_model().objects.get_or_create(
        username=login, defaults={"mobile": login if is_mobile else "", "email": "" if is_mobile else login}
    )
    if created:
        user.set_password(APPLICANT_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed_applicants(campaign, *, now):
    logins = []
    for n, (login, role, stage, company, contact, cases, attachments) in enumerate(APPLICANTS, start=1):
        user = demo_user(login)
        logins.append(Login(f"applicant: {role}", login, APPLICANT_PASSWORD))
        if stage == "none":
            continue
        mobile = f"1370000{n:04d}"
        answers = (identity_answers if stage == "half_draft" else complete_answers)(n, company, contact, mobile)
        application, created = Application.objects.get_or_create(campaign=campaign, applicant=user, defaults=answers)
        if not created:
            continue
        for i in range(1, cases + 1):
            add_case(application, i)
        for i in range(1, attachments + 1):
            add_pdf_attachment(application, user, i)
        if stage in ("submitted", "withdrawn"):
            transition(
                application, ApplicationStatus.SUBMITTED, actor=user, reason="", fields={"submitted_at": now}
            )
        if stage == "withdrawn":
            transition(
                application,
                ApplicationStatus.WITHDRAWN,
                actor=user,
                reason="申请人主动撤回（演示数据）",
                fields={"withdrawn_at": now},
            )
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


# --- All stages ------------------------------------------------------------------------------------


def seed(*, now=None):
    from reviews import demo as review_demo  # the review pipeline builds on this module
    from reviews.setup import copy_review_setup

    """Run every stage in one transaction; returns the campaign and the logins to print."""
    now = now or timezone.now()
    with transaction.atomic():
        admin_user, logins = seed_admin()
        campaign = seed_demo_campaign(now=now, actor=admin_user)
        logins += seed_applicants(campaign, now=now)
        template = Campaign.objects.get(slug=TEMPLATE_SLUG)
        copy_review_setup(template, campaign)
        logins += review_demo.seed(template, now=now)
    return campaign, logins

