"""Alibaba Cloud's delivery receipts (SmsReport HTTP push) at /notifications/sms/receipts/<token>/."""

import json

import pytest
import time_machine
from django.urls import reverse

from notifications import services
from notifications.enums import DeliveryStatus
from notifications.models import Channel, Notification
from recruitment.timeutils import beijing
from tests.factories import UserFactory
from tests.notifications.conftest import RECEIPT_TOKEN

pytestmark = pytest.mark.django_db

T0 = beijing(2024, 4, 23, 15, 4, 5)


@pytest.fixture
def receipts_on(settings):
    settings.ALIYUN_SMS_RECEIPT_TOKEN = RECEIPT_TOKEN


def url(token=RECEIPT_TOKEN):
    return reverse("notifications:sms_receipts", args=[token])


def report(biz_id, *, success=True, err_code="DELIVERED", err_msg="用户接收成功", report_time="2024-04-23 15:04:09"):
    return {
        "phone_number": "13812345678", "send_time": "2024-04-23 15:04:05", "report_time": report_time,
        "success": success, "err_code": err_code, "err_msg": err_msg, "sms_size": "1", "biz_id": biz_id,
        "out_id": "",
    }


def push(client, reports, token=RECEIPT_TOKEN):
    return client.post(url(token), data=json.dumps(reports, ensure_ascii=False), content_type="application/json")


@pytest.fixture
def sent_sms(db):
    (row,) = services.notify(
        event="ping:1", recipient=UserFactory(username="boss@example.com", mobile="13812345678"), template="generic",
        channels=[Channel.SMS], context={"subject": "初审已通过", "body": "请完成系统备案。"},
    )
    Notification.objects.filter(pk=row.pk).update(sent_at=T0, attempts=1, provider_id="900619746936490001^0")
    return row


def state(row):
    row.refresh_from_db()
    return (row.delivered_at, row.delivery_error, row.status)


def test_a_success_report_marks_the_sms_delivered_at_the_report_time(client, receipts_on, sent_sms):
    response = push(client, [report("900619746936490001^0")])

    assert (response.status_code, response.json()) == (200, {"code": 0, "msg": "成功"})
    assert state(sent_sms) == (beijing(2024, 4, 23, 15, 4, 9), "", DeliveryStatus.DELIVERED)


def test_a_failure_report_records_the_reason(client, receipts_on, sent_sms):
    response = push(client, [report("900619746936490001^0", success=False, err_code="MK:0001", err_msg="停机或空号")])

    assert response.json() == {"code": 0, "msg": "成功"}
    assert state(sent_sms) == (None, "MK:0001 停机或空号", DeliveryStatus.UNDELIVERED)


def test_the_same_report_twice_leaves_the_same_state(client, receipts_on, sent_sms):
    push(client, [report("900619746936490001^0")])
    first = state(sent_sms)

    response = push(client, [report("900619746936490001^0")])

    assert (response.status_code, state(sent_sms)) == (200, first)


def test_a_report_for_no_known_sms_is_acknowledged_and_changes_nothing(client, receipts_on, sent_sms):
    response = push(client, [report("123^0"), {"success": True}])

    assert (response.status_code, response.json()) == (200, {"code": 0, "msg": "成功"})
    assert state(sent_sms) == (None, "", DeliveryStatus.SENT)


@pytest.mark.parametrize("token", ["wrong-token-0123456789abcdef01234567", RECEIPT_TOKEN[:-1]])
def test_a_wrong_token_is_a_404_and_changes_nothing(client, receipts_on, sent_sms, token):
    response = push(client, [report("900619746936490001^0")], token=token)

    assert response.status_code == 404
    assert state(sent_sms) == (None, "", DeliveryStatus.SENT)


def test_without_a_configured_token_the_url_does_not_exist(client, settings, sent_sms):
    settings.ALIYUN_SMS_RECEIPT_TOKEN = ""

    response = push(client, [report("900619746936490001^0")])

    assert response.status_code == 404
    assert state(sent_sms) == (None, "", DeliveryStatus.SENT)


def test_a_get_is_refused_and_writes_nothing(client, receipts_on, sent_sms):
    response = client.get(url(), {"biz_id": "900619746936490001^0"})

    assert response.status_code == 405
    assert state(sent_sms) == (None, "", DeliveryStatus.SENT)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        (b'{"biz_id": "900619746936490001^0"}', "expected a JSON array of reports"),
        (b'["900619746936490001^0"]', "expected a JSON array of reports"),
    ],
)
def test_a_malformed_body_is_a_400(client, receipts_on, sent_sms, body, message):
    response = client.post(url(), data=body, content_type="application/json")

    assert (response.status_code, response.json()) == (400, {"code": 400, "msg": message})
    assert state(sent_sms) == (None, "", DeliveryStatus.SENT)


def test_the_receipt_url_needs_no_csrf_token(receipts_on, sent_sms):
    from django.test import Client

    response = push(Client(enforce_csrf_checks=True), [report("900619746936490001^0")])

    assert response.status_code == 200
    assert state(sent_sms)[2] == DeliveryStatus.DELIVERED


def test_an_sms_sent_through_the_stub_is_matched_by_its_biz_id(client, receipts_on, aliyun_sms):
    with time_machine.travel(T0, tick=False):
        (row,) = services.notify(
            event="ping:2", recipient=UserFactory(username="lead@example.com", mobile="13900001111"),
            template="generic", channels=[Channel.SMS], context={"subject": "初审已通过", "body": "请完成系统备案。"},
        )
        services.deliver(row.pk)
    row.refresh_from_db()

    push(client, [report(row.provider_id, report_time="2024-04-23 15:04:07")])

    assert (row.provider_id, state(row)) == (
        "900619746936490001^0", (beijing(2024, 4, 23, 15, 4, 7), "", DeliveryStatus.DELIVERED),
    )
