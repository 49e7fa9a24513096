"""In the browser: a newcomer signs up with a mobile number and the SMS code, logs out, forgets the password
and sets a new one with a code sent by SMS (忘记密码)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from reviews import roles
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Tuoke-pioneer-2024"
NEW_PASSWORD = "Tuoke-new-start-2024"


def test_sign_up_by_mobile_with_the_code_then_reset_the_password_by_sms(live_server, page, sms, settings):
    # Both codes are asked for from this one address within the minute the per-IP limit would refuse.
    settings.VERIFICATION_CODE_INTERVAL = timedelta(0)
    roles.ensure_roles()
    CampaignFactory()
    User = get_user_model()

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("[name=identifier]", "138 0013 8000")
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/signup/code/")
    assert "138****8000" in page.text_content("#code-sent-to")
    assert User.objects.exists() is False
    ((number, kind, params),) = sms
    assert (number, kind) == ("13800138000", "verification_code")
    page.fill("[name=code]", params["code"])
    page.click("#btn-code")
    page.wait_for_url("**/apply/")
    user = User.objects.get()
    assert (user.username, user.mobile, user.mobile_verified_at is not None) == ("13800138000", "13800138000", True)

    page.click("button:has-text('退出登录')")
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#link-reset-sms")
    page.wait_for_url("**/accounts/password/reset/sms/")
    page.fill("[name=mobile]", "13800138000")
    page.click("#btn-send")
    page.wait_for_url("**/accounts/password/reset/sms/code/")
    assert "如有账号使用 138****8000" in page.text_content(".messages")
    assert page.input_value("[name=mobile]") == "13800138000"
    assert [(number, kind) for number, kind, _params in sms] == [
        ("13800138000", "verification_code"), ("13800138000", "password_reset_code"),
    ]
    page.fill("[name=code]", sms[-1][2]["code"])
    page.fill("[name=new_password1]", NEW_PASSWORD)
    page.fill("[name=new_password2]", NEW_PASSWORD)
    page.click("#btn-reset")
    page.wait_for_url("**/accounts/password/reset/done/")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("[name=username]", "13800138000")
    page.fill("[name=password]", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/status/")
    assert User.objects.get().check_password(NEW_PASSWORD) is True
