"""Demo data for ``make run`` (``manage.py seed_demo``), the campaign part: a newcomer can try every step today.

The 2024 campaign is in the past, so the seed adds a demo campaign with the same rules and its
calendar shifted around the current date (application window open now) and makes it current; the
other demo campaigns are the 2024 calendar moved by whole days the same way. This module knows
campaigns and accounts only: the applicants are ``applications.demo``'s, the review rounds and the
orchestration of every stage ``reviews.demo.seed``'s (the top of the layers, see ``.importlinter``).

Every stage is idempotent: rows are looked up by their natural key and only created when missing,
so a second run creates nothing and prints the same logins.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from . import services, timeutils
from .models import BasicCheckMonth, Campaign

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


# --- Applicant accounts (their applications: applications.demo) ----------------------------------


def demo_user(login):
    """An applicant account; ``login`` is its identifier (a mobile number or an e-mail address)."""
    is_mobile = "@" not in login
    # A mobile number counts as verified by an SMS code, as a sign-up today would have it.
    user, created = get_user_model().objects.get_or_create(
        username=login, defaults={
            "mobile": login if is_mobile else "", "email": "" if is_mobile else login,
            "mobile_verified_at": timezone.now() if is_mobile else None,
        },
    )
    if created:
        user.set_password(APPLICANT_PASSWORD)
        user.save(update_fields=["password"])
    return user
