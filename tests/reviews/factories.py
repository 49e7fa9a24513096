"""Factories of the review pipeline (shared by the round-1/2 and round-3 tests: add, don't edit)."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group, Permission

from applications.enums import ApplicationStatus
from recruitment.timeutils import beijing
from reviews.enums import SanctionKind
from reviews.filing import id_number_check_char
from reviews.models import (
    CallAttempt,
    CommitteeMember,
    Filing,
    PhoneTask,
    RubricCriterion,
    SanctionRecord,
    Score,
    ScoreSheet,
)
from reviews.roles import FINAL_COMMITTEE, ROLE_PERMISSIONS
from tests.factories import ApplicationFactory, CampaignFactory, UserFactory

# --- Round 3 (终审) ---------------------------------------------------------------------------------


def role_group(role):
    """The role's group with exactly its permissions (re-created after a transactional test's flush)."""
    group, _created = Group.objects.get_or_create(name=role)
    codenames = [dotted.split(".") for dotted in ROLE_PERMISSIONS[role]]
    perms = [Permission.objects.get(content_type__app_label=app, codename=code) for app, code in codenames]
    group.permissions.set(perms)
    return group


def staff_with_role(role, **kwargs):
    """A staff user in one role (``reviews.roles``)."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(role_group(role))
    return user


def judge_of(*campaigns, **kwargs):
    """A staff user in the final committee role, seated on the committee of each of ``campaigns``."""
    user = staff_with_role(FINAL_COMMITTEE, **kwargs)
    for campaign in campaigns:
        CommitteeMember.objects.create(campaign=campaign, member=user)
    return user


def scored_by_committee(application, score=Decimal("80.00")):
    """A sheet on ``application`` from every member of its campaign's committee (a judge seated first when the
    committee is empty): what selection (择优通过) needs. Returns the sheets."""
    members = [seat.member for seat in CommitteeMember.objects.filter(campaign=application.campaign_id)]
    if not members:
        members = [judge_of(application.campaign)]
    return [ScoreSheetFactory(application=application, reviewer=member, weighted_score=score) for member in members]


class FinalReviewApplicationFactory(ApplicationFactory):
    """A submitted application that reached round 3 (status set directly: the path is tested elsewhere)."""

    status = ApplicationStatus.FINAL_REVIEW
    submitted_at = factory.Sequence(lambda n: beijing(2024, 4, 10, 9, 0, n % 60))


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"评分项{n}")
    weight = 10
    max_score = 10
    position = factory.Sequence(lambda n: n)


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    """A sheet with a given ``weighted_score`` (no Score rows: the ranking reads only the sheet)."""

    class Meta:
        model = ScoreSheet

    application = factory.SubFactory(FinalReviewApplicationFactory)
    reviewer = factory.SubFactory(UserFactory, is_staff=True)
    comment = "资源扎实，案例可信"
    weighted_score = Decimal("80.00")


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    sheet = factory.SubFactory(ScoreSheetFactory)
    criterion = factory.SubFactory(RubricCriterionFactory)
    value = 8


# --- Rounds 1 and 2 (初审, 系统备案 + 风险评估) --------------------------------------------------------


def resident_id(n=1):
    """A valid 18-character resident ID number (born 1985-06-15), distinct for each ``n``."""
    first17 = f"33010619850615{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


class SubmittedApplicationFactory(ApplicationFactory):
    """A submitted application waiting for round 1 (status set directly: submission is tested elsewhere)."""

    status = ApplicationStatus.SUBMITTED
    submitted_at = beijing(2024, 4, 20, 10)


class FilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Filing

    application = factory.SubFactory(SubmittedApplicationFactory, status=ApplicationStatus.RISK_REVIEW)
    legal_representative = "王芳"
    legal_representative_id_number = factory.Sequence(resident_id)
    registered_address = "浙江省杭州市余杭区文一西路 969 号"
    business_address = "浙江省杭州市余杭区文一西路 969 号 3 楼"
    settlement_account_name = factory.LazyAttribute(lambda o: o.application.company_name)
    associated_accounts_confirmed = True
    rules_accepted = True


class PhoneTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneTask

    application = factory.SubFactory(SubmittedApplicationFactory, status=ApplicationStatus.FILING)
    contact_name = factory.LazyAttribute(lambda o: o.application.contact_name)
    phone = factory.LazyAttribute(lambda o: o.application.mobile)


class CallAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallAttempt

    task = factory.SubFactory(PhoneTaskFactory)
    called_at = beijing(2024, 4, 23, 10)
    outcome = "reached"


class SanctionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SanctionRecord

    alliance_account = factory.Sequence(lambda n: f"mm_closed_{n}")
    credit_code = ""
    company_name = "某某网络科技有限公司"
    kind = SanctionKind.CLEARED
    occurred_on = factory.LazyFunction(lambda: beijing(2023, 6, 1).date())
