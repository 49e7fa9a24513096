"""Fixtures of the security tests: one staff user per role, and a campaign with one object of every
kind the admin shows (each application in the state its queue lists)."""

import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from hypothesis.configuration import set_hypothesis_home_dir

from applications.enums import ApplicationStatus
from audit import services as audit
from audit.enums import AuditAction
from notifications.models import DingTalkAlert, DingTalkRobot, Notification
from probation.models import CheckItem, RuleChange, RuleNotice
from recruitment.timeutils import beijing
from reviews import roles
from reviews.models import ChecklistItem, RiskAssessment, RiskRule, Round1Review
from tests.factories import ApplicationFactory, AttachmentFactory, CampaignFactory, CustomQuestionFactory, UserFactory
from tests.probation.factories import LeaderFactory, ViolationFactory
from tests.reviews.factories import (
    FilingFactory,
    FinalReviewApplicationFactory,
    PhoneTaskFactory,
    RubricCriterionFactory,
    SanctionRecordFactory,
    SubmittedApplicationFactory,
    judge_of,
    role_group,
    staff_with_role,
)

S = ApplicationStatus

# Hypothesis keeps its files outside the checkout (nothing to ignore in git, nothing shared between runs).
set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "hypothesis-recruitment"))

# Short names of the columns of the permission tables: the five roles and a staff user with none.
ROLES = {
    "reviewer": roles.ROUND1_REVIEWER,
    "risk": roles.RISK_OFFICER,
    "committee": roles.FINAL_COMMITTEE,
    "ops": roles.OPERATIONS,
    "admin": roles.CAMPAIGN_ADMIN,
    "none": None,
}


def make_staff(short):
    role = ROLES[short]
    if role is None:
        return UserFactory(username="staff-none@example.com", is_staff=True)
    if short == "committee":  # a judge sits on the committee of the campaign the tests use
        return judge_of(CampaignFactory(), username="staff-committee@example.com")
    return staff_with_role(role, username=f"staff-{short}@example.com")


@pytest.fixture
def staff(db):
    """``staff[short]``: a staff user per role (created on first use)."""

    class Staff(dict):
        def __missing__(self, short):
            self[short] = make_staff(short)
            return self[short]

    return Staff()


@pytest.fixture
def world(campaign):
    """One object of every model the admin registers, in the 2024 campaign."""
    submitted = SubmittedApplicationFactory(campaign=campaign, mobile="13811112222")
    AttachmentFactory(application=submitted)
    filing = FilingFactory(application__campaign=campaign, legal_representative_id_number="11010519491231002X")
    final = FinalReviewApplicationFactory(campaign=campaign)
    phone_task = PhoneTaskFactory(application__campaign=campaign, phone="13933334444")
    reviewer = UserFactory(username="decider@example.com", is_staff=True)
    round1 = Round1Review.objects.create(application=phone_task.application, reviewer=reviewer, passed=True)
    rule = RiskRule.objects.filter(campaign=campaign).first() or RiskRule.objects.create(
        campaign=campaign, code="company_entity"
    )
    leader = LeaderFactory(campaign=campaign)
    notification = Notification.objects.create(
        recipient=submitted.applicant, application=submitted, event="security:1", channel="email",
        address=submitted.email, subject="主题", body="正文",
    )
    return SimpleNamespace(
        campaign=campaign,
        submitted=submitted,
        filing=filing,
        risk=filing.application,
        final=final,
        phone_task=phone_task,
        round1=round1,
        checklist=ChecklistItem.objects.create(campaign=campaign, text="资料完整"),
        custom_question=CustomQuestionFactory(campaign=campaign, label="主营类目"),
        assessment=RiskAssessment.objects.create(application=filing.application, passed=True, results=[]),
        rule=rule,
        sanction=SanctionRecordFactory(),
        criterion=RubricCriterionFactory(campaign=campaign),
        leader=leader,
        violation=ViolationFactory(leader=leader),
        check_item=CheckItem.objects.create(
            campaign=campaign, code="extra:july", name="七月推广活动", measure="activities",
            starts_at=beijing(2024, 7, 1), ends_at=beijing(2024, 7, 31, 23, 59, 59), threshold=1,
            due_at=beijing(2024, 8, 5, 12)),
        rule_change=RuleChange.objects.create(campaign=campaign, what="新增考核项：extra:july",
                                              to_value="七月推广活动"),
        rule_notice=RuleNotice.objects.create(campaign=campaign, text="七月新增考核项"),
        notification=notification,
        dingtalk_robot=DingTalkRobot.objects.create(
            campaign=campaign, webhook_url="https://oapi.dingtalk.com/robot/send?access_token=testtoken0001",
            secret="SECtest-not-a-real-secret"),
        dingtalk_alert=DingTalkAlert.objects.create(campaign=campaign, kind="import_failed", key="security:1",
                                                    title="导入被拒", text="第 2 行：缺少值"),
        group=role_group(roles.OPERATIONS),
        user=submitted.applicant,
        attempt=AccessAttempt.objects.create(username="x", ip_address="127.0.0.9", failures_since_start=1,
                                             get_data="", post_data="", http_accept="", path_info="/"),
        access_log=AccessLog.objects.create(username="x", ip_address="127.0.0.9", http_accept="", path_info="/"),
        failure_log=AccessFailureLog.objects.create(username="x", ip_address="127.0.0.9", http_accept="",
                                                    path_info="/"),
        audit_event=audit.record(AuditAction.PUBLISH, actor=reviewer, campaign=campaign),
        draft=ApplicationFactory(campaign=campaign),
    )
