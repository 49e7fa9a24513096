"""The DingTalk robot client against the loopback stub: 加签, the message, and what each answer means."""

import base64
import hashlib
import hmac
import urllib.parse

import pytest

from notifications import dingtalk
from tests.notifications.dingtalk_stub import SECRET, DingTalkStub


@pytest.fixture
def stub(settings):
    settings.DINGTALK_TIMEOUT = 0.5
    with DingTalkStub(timeout_seconds=1.5) as running:
        yield running


MESSAGE = dingtalk.Message(title="标题", text="正文", at_user_ids=("ding-ops-1",), at_mobiles=("13900000001",))


def test_the_sign_is_base64_of_hmac_sha256_of_timestamp_newline_secret():
    expected = base64.b64encode(
        hmac.new(b"this is secret", b"1577262236757\nthis is secret", hashlib.sha256).digest()).decode()

    assert dingtalk.sign(1577262236757, "this is secret") == expected


def test_the_signed_url_appends_timestamp_and_the_url_encoded_sign():
    url = dingtalk.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "this is secret",
                              timestamp_ms=1577262236757)

    sign = dingtalk.sign(1577262236757, "this is secret")
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1577262236757&sign="
                   + urllib.parse.quote_plus(sign))
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["sign"] == [sign]


def test_the_payload_is_markdown_with_the_mentions_in_at_and_in_the_text():
    assert MESSAGE.payload() == {
        "msgtype": "markdown",
        "markdown": {"title": "标题", "text": "正文\n\n@ding-ops-1 @13900000001"},
        "at": {"atUserIds": ["ding-ops-1"], "atMobiles": ["13900000001"], "isAtAll": False},
    }


def test_an_accepted_message_reaches_the_robot_signed(stub):
    dingtalk.send(stub.webhook, SECRET, MESSAGE)

    assert stub.messages == [MESSAGE.payload()]
    (query, _body, code), = stub.received
    assert (code, set(query)) == (0, {"access_token", "timestamp", "sign"})


def test_a_wrong_secret_is_refused_for_good(stub):
    with pytest.raises(dingtalk.PermanentDingTalkError) as error:
        dingtalk.send(stub.webhook, "SECnot-the-robots-secret", MESSAGE)

    assert (error.value.code, str(error.value), stub.messages) == (310000, "errcode 310000: sign not match", [])


def test_sending_too_fast_is_a_temporary_error_that_says_so(stub):
    stub.scenarios = ["too_fast"]

    with pytest.raises(dingtalk.TooFast) as error:
        dingtalk.send(stub.webhook, SECRET, MESSAGE)

    assert (error.value.code, error.value.permanent, error.value.too_fast) == (130101, False, True)


def test_a_timeout_is_a_temporary_error(stub):
    stub.scenarios = ["timeout"]

    with pytest.raises(dingtalk.TemporaryDingTalkError) as error:
        dingtalk.send(stub.webhook, SECRET, MESSAGE)

    assert (str(error.value), error.value.permanent, error.value.code) == ("timeout after 0.5s", False, None)


def test_without_a_webhook_the_message_goes_to_the_log(caplog):
    with caplog.at_level("INFO", logger="notifications.dingtalk"):
        dingtalk.send("", "", MESSAGE)

    assert "标题\n正文\n\n@ding-ops-1 @13900000001" in caplog.text


@pytest.mark.parametrize(("value", "masked"), [
    ("SECabcdef1234", "••••••••1234"), ("abc", "••••••••"), ("", ""),
])
def test_a_secret_is_masked_to_its_last_four_characters(value, masked):
    assert dingtalk.mask(value) == masked


def test_a_webhook_is_masked_to_the_last_four_characters_of_its_token():
    url = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdefWXYZ"

    assert dingtalk.mask_webhook(url) == "https://oapi.dingtalk.com/robot/send?access_token=••••••••WXYZ"
