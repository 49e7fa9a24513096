"""One factory per model. ``ApplicationFactory`` builds a complete (submittable) questionnaire."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from applications.enums import EntityType, PreviousPermissionOutcome, QuestionKind
from applications.models import Application, Attachment, CooperationCase, CustomQuestion, StatusChange
from recruitment.models import BasicCheckMonth, Campaign
from recruitment.timeutils import beijing
from recruitment.validators import credit_code_check_char


def credit_code(n):
    """A valid unified social credit code, distinct for each ``n``."""
    first17 = f"9133010622{n:07d}"
    return first17 + credit_code_check_char(first17)


MOBILE_VERIFIED_AT = beijing(2024, 3, 1, 9, 0)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"applicant{n}@example.com")
    email = factory.LazyAttribute(lambda o: o.username if "@" in o.username else "")
    mobile = ""
    # An account with a mobile number proved it with an SMS code at sign-up (pass None for one made before).
    mobile_verified_at = factory.LazyAttribute(lambda o: MOBILE_VERIFIED_AT if o.mobile else None)
    password = factory.PostGenerationMethodCall("set_password", "Secret-pass-2024")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CampaignFactory(factory.django.DjangoModelFactory):
    """Defaults are the 2024 纳新 2.0 campaign; with the default slug it returns the migrated row."""

    class Meta:
        model = Campaign
        django_get_or_create = ("slug",)

    slug = "2024-nx2"
    name = "淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）"
    is_current = True
    application_opens_at = beijing(2024, 4, 1)
    application_closes_at = beijing(2024, 4, 25, 23, 59, 59)
    review_starts_on = date(2024, 4, 22)
    review_ends_on = date(2024, 4, 29)
    results_published_at = beijing(2024, 5, 6)
    seats = 50
    probation_starts_on = date(2024, 5, 1)
    probation_ends_on = date(2024, 8, 31)
    activity_starts_at = beijing(2024, 5, 10)
    activity_ends_at = beijing(2024, 6, 20, 23, 59, 59)
    checkpoint_ends_at = beijing(2024, 5, 31, 23, 59, 59)
    final_result_at = beijing(2024, 9, 1)
    window_618_starts_at = beijing(2024, 5, 20, 20)
    window_618_ends_at = beijing(2024, 6, 20, 23, 59, 59)
    # Two days after the window closes, as the 2024 campaign's (2024-04-27 23:59:59).
    filing_deadline = factory.LazyAttribute(lambda o: o.application_closes_at + timedelta(days=2))


class BasicCheckMonthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BasicCheckMonth
        django_get_or_create = ("campaign", "month")

    campaign = factory.SubFactory(CampaignFactory)
    month = date(2024, 5, 1)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    campaign = factory.SubFactory(CampaignFactory)
    applicant = factory.SubFactory(UserFactory)
    alliance_account = factory.Sequence(lambda n: f"mm_{100000 + n}")
    company_name = factory.Sequence(lambda n: f"杭州拓客{n}号网络科技有限公司")
    credit_code = factory.Sequence(credit_code)
    incorporated_on = date(2019, 3, 1)
    registered_capital = Decimal("500.00")
    contact_name = "张伟"
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    dingtalk_id = factory.Sequence(lambda n: f"ding{n}")
    entity_type = EntityType.COMPANY
    associated_accounts = factory.LazyFunction(lambda: ["mm_assoc_1"])
    previous_permission = PreviousPermissionOutcome.NEVER
    years_in_business = 5
    team_total = 30
    team_recruiting = 12
    team_operations = 8
    has_offsite_promotion = True
    offsite_promotion_detail = "微信社群与小红书种草，月均带动成交 200 万元"
    other_platform_roles = factory.LazyFunction(lambda: ["douyin", "pdd"])
    other_platform_detail = "抖音精选联盟团长两年"
    other_alliance_identities = ""
    new_merchants_available = 40
    new_merchant_examples = "义乌小商品源头工厂 15 家，未开通淘宝客"
    industries = "食品生鲜、家居日用"
    channel_resources = "产业带商会合作、线下招商会"
    has_exclusive_channels = True
    exclusive_channels_detail = "独家代理两家产业带服务平台"
    target_gmv = Decimal("800.00")
    target_new_merchants = 20
    media_plan = "每月投入 10 万元用于站外内容投放"
    declaration_accepted = True


class CooperationCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationCase

    application = factory.SubFactory(ApplicationFactory)
    merchant_name = factory.Sequence(lambda n: f"合作品牌{n}")
    platform = "抖音"
    industry = "食品"
    period = "2023-06 至 2023-11"
    gmv = Decimal("120.00")
    description = "负责商家招募与直播排期，半年成交 120 万元"


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    application = factory.SubFactory(ApplicationFactory)
    file = factory.django.FileField(filename="licence.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "licence.pdf"
    content_type = "application/pdf"
    size = 15


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    application = factory.SubFactory(ApplicationFactory)
    from_status = "draft"
    to_status = "submitted"


class CustomQuestionFactory(factory.django.DjangoModelFactory):
    """A short-text question at the end of the key assessment, not required."""

    class Meta:
        model = CustomQuestion

    campaign = factory.SubFactory(CampaignFactory)
    section = "assessment"
    label = factory.Sequence(lambda n: f"自定义问题{n}")
    kind = QuestionKind.SHORT_TEXT
    position = factory.Sequence(lambda n: n)
