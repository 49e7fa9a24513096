"""One factory per probation model. Times default inside the 2024 campaign's windows."""

from decimal import Decimal

import factory

from probation.enums import OrderStatus, ViolationKind
from probation.models import Activity, CheckResult, Enrollment, Leader, Merchant, MerchantExit, Order, Violation
from recruitment.timeutils import beijing
from tests.factories import CampaignFactory, credit_code


class LeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leader

    campaign = factory.SubFactory(CampaignFactory)
    leader_account = factory.Sequence(lambda n: f"L{n:03d}")
    company_name = factory.Sequence(lambda n: f"杭州团长{n}号网络科技有限公司")
    credit_code = factory.Sequence(lambda n: credit_code(5000 + n))
    granted_at = beijing(2024, 5, 6, 10)


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    campaign = factory.SelfAttribute("leader.campaign")
    leader = factory.SubFactory(LeaderFactory)
    merchant_id = factory.Sequence(lambda n: f"M{n:05d}")
    merchant_name = factory.Sequence(lambda n: f"商家{n}")
    opened_at = beijing(2024, 5, 12, 9)


class MerchantExitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantExit

    merchant = factory.SubFactory(MerchantFactory)
    campaign = factory.SelfAttribute("merchant.campaign")
    exited_at = beijing(2024, 5, 20, 20)
    rejoined_at = None


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    leader = factory.SubFactory(LeaderFactory)
    campaign = factory.SelfAttribute("leader.campaign")
    activity_id = factory.Sequence(lambda n: f"A{n:05d}")
    name = factory.Sequence(lambda n: f"招商活动{n}")
    created_at = beijing(2024, 5, 3, 10)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    activity = factory.SubFactory(ActivityFactory)
    campaign = factory.SelfAttribute("activity.campaign")
    merchant = factory.SubFactory(MerchantFactory, leader=factory.SelfAttribute("..activity.leader"))
    item_id = factory.Sequence(lambda n: f"I{n:06d}")
    enrolled_at = beijing(2024, 5, 5, 10)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    leader = factory.SubFactory(LeaderFactory)
    campaign = factory.SelfAttribute("leader.campaign")
    merchant = factory.SubFactory(MerchantFactory, leader=factory.SelfAttribute("..leader"))
    order_id = factory.Sequence(lambda n: f"O{n:07d}")
    item_id = "ITEM1"
    paid_at = beijing(2024, 5, 25, 10)
    paid_amount = Decimal("10.00")
    status = OrderStatus.SETTLED
    settled_at = beijing(2024, 7, 10, 10)


class CheckResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckResult

    leader = factory.SubFactory(LeaderFactory)
    code = "special:checkpoint"
    passed = True
    due_at = beijing(2024, 6, 1)


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Violation

    leader = factory.SubFactory(LeaderFactory)
    kind = ViolationKind.FAKE_ORDERS
    note = "刷单"


def staff_with(*perms, username=None):
    """A staff user holding exactly ``perms`` (``"probation.view_leader"`` …)."""
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(username=username or f"staff-{'-'.join(p.split('.')[1] for p in perms) or 'none'}@example.com",
                       is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user
