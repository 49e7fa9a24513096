"""An SMS goes from the outbox through Redis to a real Celery worker, which sends it with the real Alibaba Cloud
SDK to the loopback stub and records the provider's BizId."""

import pytest

from notifications import services
from notifications.enums import DeliveryStatus
from notifications.models import Channel, Notification
from tests.factories import UserFactory
from tests.workers import celery_worker, wait_until  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis


def test_a_real_worker_sends_an_sms_through_alibaba_cloud_once(celery_worker, aliyun_sms):  # noqa: F811
    recipient = UserFactory(username="boss@example.com", mobile="13812345678")

    (row,) = services.notify(
        event="ping:1", recipient=recipient, template="round1_passed", channels=[Channel.SMS],
        context={"campaign": {"name": "淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）"}},
    )

    assert wait_until(lambda: Notification.objects.get(pk=row.pk).sent_at is not None) is True
    row.refresh_from_db()
    assert (row.provider_id, row.attempts, row.status) == ("900619746936490001^0", 1, DeliveryStatus.SENT)
    (request,) = aliyun_sms.received
    assert (request.signature_ok, request.params["TemplateCode"], request.template_param) == (
        True, "SMS_100000003", {"title": "初审已通过"},
    )
