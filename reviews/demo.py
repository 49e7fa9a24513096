"""Demo data for ``manage.py seed_demo``: ``seed`` runs every stage; this module adds the review pipeline
and probation (the top of the layers: it uses ``recruitment.demo``, ``applications.demo`` and
``probation.demo``, none of which knows it).

- staff accounts, one per role, so a newcomer can log in as each role; the two demo judges sit on
  the final-review committee of the 2024 campaign and of every demo campaign;
- ``demo-review``: a campaign on the last day of its review period, with applications at every review
  stage, so staff can carry them through the three rounds today (its filing deadline has passed) and
  publish on its results date a week on;
- ``demo-probation``: a campaign published about a month ago whose probation is under way (the
  checkpoint decided, the first basic month running), with leaders from ``probation.demo.seed_probation``
  and one leader who can log in and follow the probation on ``/status/``;
- ``demo-finished``: the same leaders after probation end, every check decided: leaders failing each
  check, retained leaders and the same-company reward rule on the probation board and report.

Idempotent like the rest of the demo: a second run finds its rows and creates nothing. Every
application's story happens at moments that agree with its campaign's calendar (``applications.demo.retell``).
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from applications.demo import add_case, add_pdf_attachment, complete_answers, retell, seed_applicants
from applications.enums import ApplicationStatus as S
from applications.models import Application
from applications.services import transition
from notifications.models import Notification
from probation.demo import seed_probation
from probation.models import Leader
from recruitment import timeutils
from recruitment.demo import (
    APPLICANT_PASSWORD,
    DEMO_SLUG,
    TEMPLATE_SLUG,
    Login,
    demo_user,
    seed_admin,
    seed_demo_campaign,
    shift_for,
    shifted_basic_months,
    shifted_campaign,
)
from recruitment.models import BasicCheckMonth, Campaign

from . import roles
from .filing import reminder_event, send_filing_reminders, submit_filing
from .final import submit_scores
from .models import CommitteeMember, Filing, PhoneTask, RiskAssessment, Round1Review, ScoreSheet
from .risk import assess_risk
from .round1 import decide_round1
from .setup import copy_review_setup

STAFF_PASSWORD = "demo-staff-2024"
JUDGES = ["judge1", "judge2"]
STAFF = [
    ("reviewer", roles.ROUND1_REVIEWER),
    ("risk", roles.RISK_OFFICER),
    ("judge1", roles.FINAL_COMMITTEE),
    ("judge2", roles.FINAL_COMMITTEE),
    ("ops", roles.OPERATIONS),
    ("campaign-admin", roles.CAMPAIGN_ADMIN),
]

REVIEW_SLUG, REVIEW_NAME = "demo-review", "演示活动 · 审核进行中（今天是审核期最后一天）"
PROBATION_SLUG, PROBATION_NAME = "demo-probation", "演示活动 · 试用期考核进行中"
FINISHED_SLUG, FINISHED_NAME = "demo-finished", "演示活动 · 试用期已结束（全部考核已出结果）"
# The 2024 day that "today" plays in each demo campaign.
REVIEW_TODAY = date(2024, 4, 29)  # the review period's last day: every round still open, the filing deadline passed
PROBATION_TODAY = date(2024, 6, 10)  # checkpoint passed, the first basic month running
FINISHED_TODAY = date(2024, 9, 10)  # every check has a verdict: closures of each kind, retained leaders
SHIFTED = [
    (REVIEW_SLUG, REVIEW_NAME, REVIEW_TODAY),
    (PROBATION_SLUG, PROBATION_NAME, PROBATION_TODAY),
    (FINISHED_SLUG, FINISHED_NAME, FINISHED_TODAY),
]

# login, what the account shows, stage; the numbers continue recruitment.demo's applicants.
REVIEW_APPLICANTS = [
    ("review-submitted-1@example.com", "awaiting round 1", "submitted"),
    ("review-submitted-2@example.com", "awaiting round 1", "submitted"),
    ("review-filing@example.com", "round 1 passed, to file on /status/", "filing"),
    ("review-round1-rejected@example.com", "rejected in round 1 (unpublished)", "round1_rejected"),
    ("review-risk-rejected@example.com", "rejected by the risk rules (unpublished)", "risk_rejected"),
    ("review-final-1@example.com", "final review, scored by judge1 and judge2", "scored"),
    ("review-final-2@example.com", "final review, scored by judge1", "scored_once"),
    ("review-final-3@example.com", "final review, not scored yet", "final"),
]
LEADER_LOGIN = "leader@example.com"
LEADER_ACCOUNT = "demo_tz01"  # passes every check in probation.demo


def seed_staff():
    """One staff account per role (password ``demo-staff-2024``)."""
    User = get_user_model()
    logins = []
    for username, role in STAFF:
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(STAFF_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
        logins.append(Login(f"staff: {role}", username, STAFF_PASSWORD))
    return logins


def _shifted(template, *, slug, name, template_day, today):
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        campaign = shifted_campaign(template, shift=shift_for(template_day, today), slug=slug, name=name)
        campaign.full_clean()
        campaign.save()
        BasicCheckMonth.objects.bulk_create(shifted_basic_months(template, campaign))
        copy_review_setup(template, campaign)
    return campaign


class Story:
    """When each step of demo application ``n`` happened in ``campaign`` (the 2024 rhythm): the draft started
    ``n`` days into the window and was submitted two days later; round 1 on the review's first day, the
    filing the next afternoon (before the filing deadline), the risk rules five minutes after it; the
    judges' sheets on the review's fifth and sixth days; selection at the results date."""

    def __init__(self, campaign, n):
        opens = timeutils.local(campaign.application_opens_at)
        review = timeutils.start_of_day(campaign.review_starts_on)
        k = n % 20
        self.created = opens + timedelta(days=k, hours=10)
        self.submitted = self.created + timedelta(days=2, hours=3)
        self.round1 = review + timedelta(hours=10, minutes=10 * k)
        self.filed = self.round1 + timedelta(days=1, hours=4)
        self.assessed = self.filed + timedelta(minutes=5)
        self.scored = [review + timedelta(days=4, hours=15, minutes=k), review + timedelta(days=5, hours=16, minutes=k)]
        self.selected = timeutils.local(campaign.results_published_at)

    def moments(self):
        """The moment of each status the application can reach in the demo."""
        return {
            S.SUBMITTED: self.submitted, S.FILING: self.round1, S.ROUND1_REJECTED: self.round1,
            S.RISK_REVIEW: self.filed, S.FINAL_REVIEW: self.assessed, S.RISK_REJECTED: self.assessed,
            S.SELECTED: self.selected,
        }


def _reminded_at(campaign, hours):
    return campaign.filing_deadline - timedelta(hours=hours)


def retell_review(application, story):
    """``applications.demo.retell`` for the rounds' rows too: the round-1 decision and its phone task, the
    filing, the risk assessment and the judges' sheets (in the order they were submitted) at their moments."""
    reached = set(application.status_changes.values_list("to_status", flat=True))
    retell(application, created=story.created, moments={s: m for s, m in story.moments().items() if s in reached})
    Round1Review.objects.filter(application=application).update(decided_at=story.round1)
    PhoneTask.objects.filter(application=application).update(created_at=story.round1)
    Filing.objects.filter(application=application).update(filed_at=story.filed)
    RiskAssessment.objects.filter(application=application).update(ran_at=story.assessed)
    for sheet, moment in zip(ScoreSheet.objects.filter(application=application).order_by("id"), story.scored,
                             strict=False):
        ScoreSheet.objects.filter(pk=sheet.pk).update(submitted_at=moment)
    for hours in application.campaign.filing_reminder_offsets:
        moment = _reminded_at(application.campaign, hours)
        reminders = Notification.objects.filter(application=application, event=reminder_event(application, hours))
        reminders.update(created_at=moment)
        reminders.filter(sent_at__isnull=False).update(sent_at=moment)


def _submitted_application(campaign, login, n, *, now, **overrides):
    """A complete application of ``login`` in ``campaign``, submitted (None when it exists already)."""
    user = demo_user(login)
    if Application.objects.filter(campaign=campaign, applicant=user).exists():
        return None
    answers = complete_answers(n, f"演示审核{n}号网络科技有限公司", campaign=campaign)
    answers.update(**overrides)
    application = Application.objects.create(campaign=campaign, applicant=user, **answers)
    add_case(application, 1)
    add_pdf_attachment(application, user, 1)
    transition(application, S.SUBMITTED, actor=user, fields={"submitted_at": Story(campaign, n).submitted})
    return application


def filing_answers(application):
    """The filing form's answers: the contact person is the legal representative."""
    return {**FILING, "legal_representative": application.contact_name,
            "settlement_account_name": application.company_name}


FILING = {
    "legal_representative_id_number": "11010519491231002X",
    "registered_address": "浙江省杭州市余杭区文一西路 969 号",
    "business_address": "浙江省杭州市余杭区文一西路 969 号 3 楼",
    "associated_accounts_confirmed": True,
    "rules_accepted": True,
}


def _to_final_review(application, staff, *, now):
    checklist = application.campaign.checklist_items.all()
    decide_round1(application, actor=staff["reviewer"], passed=True, checked_items=checklist)
    submit_filing(application, actor=application.applicant, data=filing_answers(application))
    assess_risk(application, now=now)  # the queued task finds it moved on and does nothing
    application.refresh_from_db()


def _score(application, judge, base):
    scores = {c.pk: min(c.max_score, base + i % 2) for i, c in enumerate(application.campaign.rubric.all())}
    submit_scores(application, reviewer=judge, scores=scores, comment="新商家资源扎实，案例可信（演示评语）")


def seed_review_campaign(template, *, now, staff):
    """``demo-review``: applications at every stage on the review period's last day."""
    campaign = _shifted(template, slug=REVIEW_SLUG, name=REVIEW_NAME, template_day=REVIEW_TODAY,
                        today=timeutils.local(now).date())
    logins = []
    for n, (login, role, stage) in enumerate(REVIEW_APPLICANTS, start=21):
        logins.append(Login(f"applicant ({REVIEW_SLUG}): {role}", login, APPLICANT_PASSWORD))
        overrides = {"associated_accounts": [f"mm_assoc_{n}_{i}" for i in range(5)]} if stage == "risk_rejected" else {}
        application = _submitted_application(campaign, login, n, now=now, **overrides)
        if application is None:
            continue
        if stage == "submitted":
            pass
        elif stage == "round1_rejected":
            decide_round1(application, actor=staff["reviewer"], passed=False, reason="团队配置与案例材料不足（演示）")
        elif stage == "filing":
            decide_round1(application, actor=staff["reviewer"], passed=True,
                          checked_items=campaign.checklist_items.all())
            for hours in campaign.filing_reminder_offsets:  # it was reminded, as the beat task would have
                send_filing_reminders(now=_reminded_at(campaign, hours))
        else:
            _to_final_review(application, staff, now=now)
            if stage in ("scored", "scored_once"):
                _score(application, staff["judge1"], 8)
            if stage == "scored":
                _score(application, staff["judge2"], 7)
        retell_review(application, Story(campaign, n))
    return campaign, logins


def seed_probation_campaign(template, *, now):
    """``demo-probation``: published a month ago, probation under way; one leader can log in."""
    campaign = _shifted(template, slug=PROBATION_SLUG, name=PROBATION_NAME, template_day=PROBATION_TODAY,
                        today=timeutils.local(now).date())
    if campaign.published_at is None:
        Campaign.objects.filter(pk=campaign.pk).update(published_at=campaign.results_published_at)
        campaign.refresh_from_db()
    seed_probation(campaign, now=now)
    user = demo_user(LEADER_LOGIN)
    leader = Leader.objects.get(campaign=campaign, leader_account=LEADER_ACCOUNT)
    if leader.application_id is None:
        answers = complete_answers(30, leader.company_name, campaign=campaign, incorporated_on=date(2018, 6, 1))
        answers.update(alliance_account=leader.leader_account, credit_code=leader.credit_code)
        application = Application.objects.create(campaign=campaign, applicant=user, **answers)
        add_case(application, 1)
        add_pdf_attachment(application, user, 1)
        story = Story(campaign, 30)
        for status in (S.SUBMITTED, S.FILING, S.RISK_REVIEW, S.FINAL_REVIEW, S.SELECTED):
            fields = {"submitted_at": story.submitted} if status == S.SUBMITTED else {}
            transition(application, status, actor=None, reason="演示数据", fields=fields)
        retell_review(application, story)
        Leader.objects.filter(pk=leader.pk).update(application=application)
    return campaign, [Login(f"leader ({PROBATION_SLUG}): probation under way", LEADER_LOGIN, APPLICANT_PASSWORD)]


def seed_finished_campaign(template, *, now):
    """``demo-finished``: probation over, so every check (basic months, checkpoint, total, qualifying)
    shows leaders passing and failing, and the report's reward column is final."""
    campaign = _shifted(template, slug=FINISHED_SLUG, name=FINISHED_NAME, template_day=FINISHED_TODAY,
                        today=timeutils.local(now).date())
    if campaign.published_at is None:
        Campaign.objects.filter(pk=campaign.pk).update(published_at=campaign.results_published_at)
        campaign.refresh_from_db()
    seed_probation(campaign, now=now)
    return campaign


def seed_committees(staff):
    """The demo judges on the committee of the 2024 campaign and of each demo campaign (idempotent)."""
    slugs = [TEMPLATE_SLUG, DEMO_SLUG, REVIEW_SLUG, PROBATION_SLUG, FINISHED_SLUG]
    for campaign in Campaign.objects.filter(slug__in=slugs):
        for username in JUDGES:
            CommitteeMember.objects.get_or_create(campaign=campaign, member=staff[username])


def seed_reviews(template, *, now):
    """The review and probation stages (staff, ``demo-review``, ``demo-probation``, ``demo-finished``)."""
    with transaction.atomic():
        logins = seed_staff()
        staff = {user.username: user for user in get_user_model().objects.filter(username__in=dict(STAFF))}
        today = timeutils.local(now).date()
        for slug, name, day in SHIFTED:
            _shifted(template, slug=slug, name=name, template_day=day, today=today)
        seed_committees(staff)  # before the judges score demo-review
        _campaign, review_logins = seed_review_campaign(template, now=now, staff=staff)
        _campaign, leader_logins = seed_probation_campaign(template, now=now)
        seed_finished_campaign(template, now=now)
    return logins + review_logins + leader_logins


def seed(*, now=None):
    """Every stage of the demo, in one transaction; returns the current demo campaign and the logins to print.

    Raises ``recruitment.demo.TemplateCampaignMissing`` before migrations made the 2024 campaign."""
    now = now or timezone.now()
    with transaction.atomic():
        admin_user, logins = seed_admin()
        campaign = seed_demo_campaign(now=now, actor=admin_user)
        logins += seed_applicants(campaign, now=now)
        template = Campaign.objects.get(slug=TEMPLATE_SLUG)
        copy_review_setup(template, campaign)
        logins += seed_reviews(template, now=now)
    return campaign, logins
