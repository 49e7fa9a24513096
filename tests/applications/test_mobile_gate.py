"""An applicant whose mobile number was never verified (an account made before SMS codes) cannot submit."""

import pytest
from django.urls import reverse

from applications import services
from applications.enums import ApplicationStatus
from recruitment.timeutils import beijing
from tests.factories import (
    MOBILE_VERIFIED_AT,
    ApplicationFactory,
    AttachmentFactory,
    CooperationCaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = beijing(2024, 4, 20, 10)
REFUSAL = "请先用短信验证码验证您的手机号：只有已验证的账号才能提交申请。"


def complete_draft_of(campaign, account):
    draft = ApplicationFactory(campaign=campaign, applicant=account)
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)
    return draft


def test_an_unverified_mobile_account_cannot_submit(campaign):
    account = UserFactory(username="13800138000", mobile="13800138000", email="", mobile_verified_at=None)
    draft = complete_draft_of(campaign, account)

    with pytest.raises(services.MobileUnverified) as refused:
        services.submit_application(draft, actor=account, now=NOW)

    assert refused.value.message == REFUSAL
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at) == (ApplicationStatus.DRAFT, None)


@pytest.mark.parametrize(
    "account_kwargs",
    [
        {"username": "13800138000", "mobile": "13800138000", "mobile_verified_at": MOBILE_VERIFIED_AT},
        {"username": "boss@example.com", "mobile": "", "mobile_verified_at": None},
    ],
)
def test_a_verified_or_email_only_account_submits(campaign, account_kwargs):
    account = UserFactory(**account_kwargs)
    draft = complete_draft_of(campaign, account)

    services.submit_application(draft, actor=account, now=NOW)

    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at) == (ApplicationStatus.SUBMITTED, NOW)


def test_the_submit_view_refuses_with_a_link_to_verify(client, campaign, inside_window):
    account = UserFactory(username="13800138000", mobile="13800138000", email="", mobile_verified_at=None)
    draft = complete_draft_of(campaign, account)
    client.force_login(account)

    response = client.post(
        reverse("applications:section", args=["declaration"]), {"declaration_accepted": "on", "action": "submit"}
    )
    page = client.get(response["Location"])

    assert response["Location"] == reverse("applications:section", args=["declaration"])
    assert [str(m) for m in page.context["messages"]] == [REFUSAL]
    content = page.content.decode()
    assert "您的手机号尚未验证：验证后才能提交申请。" in content
    verify = reverse("accounts:verify_mobile") + "?next=/apply/declaration/"
    assert f'<a href="{verify}" id="link-verify-mobile">立即验证</a>' in content
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_the_questionnaire_of_a_verified_account_shows_no_notice(client, campaign, inside_window):
    account = UserFactory(username="13800138000", mobile="13800138000", email="")
    complete_draft_of(campaign, account)
    client.force_login(account)

    page = client.get(reverse("applications:section", args=["identity"]))

    assert "verify-mobile-notice" not in page.content.decode()
