from datetime import date

import pytest
import time_machine

from applications.forms import AssessmentForm, IdentityForm, QualificationsForm, RiskForm
from applications.services import save_answers
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, credit_code

VALID_IDENTITY = {
    "alliance_account": "mm_888001",
    "company_name": "杭州新拓网络科技有限公司",
    "credit_code": credit_code(4242),
    "incorporated_on": "2020-05-01",
    "registered_capital": "300",
    "contact_name": "李娜",
    "mobile": "13900001111",
    "email": "lina@example.com",
    "dingtalk_id": "lina_ding",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(beijing(2024, 4, 20, 10), tick=False):
        yield


def identity_form(draft, **changes):
    return IdentityForm({**VALID_IDENTITY, **changes}, instance=draft)


def error_codes(form, field):
    return [e.code for e in form.errors.as_data().get(field, [])]


def test_identity_form_valid_answers_are_normalised(draft):
    form = identity_form(draft, credit_code=f" {credit_code(4242).lower()} ", mobile="+86 139-0000-1111")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["credit_code"] == credit_code(4242)
    assert form.cleaned_data["mobile"] == "13900001111"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91330106", "credit_code_format"),
        ("91330106MA2H3X4Y5I", "credit_code_format"),  # I is not in the charset
        (credit_code(4242)[:17] + ("0" if credit_code(4242)[17] != "0" else "1"), "credit_code_check_digit"),
    ],
)
def test_identity_form_credit_code_rejected(draft, value, code):
    form = identity_form(draft, credit_code=value)

    assert form.is_valid() is False
    assert error_codes(form, "credit_code") == [code]


@pytest.mark.parametrize("value", ["12345678901", "1390000111", "139000011112", "23900001111", "abc"])
def test_identity_form_mobile_rejected(draft, value):
    form = identity_form(draft, mobile=value)

    assert form.is_valid() is False
    assert error_codes(form, "mobile") == ["mobile"]


def test_identity_form_email_rejected(draft):
    form = identity_form(draft, email="lina@")

    assert form.is_valid() is False
    assert error_codes(form, "email") == ["invalid"]


def test_identity_form_incorporation_date_today_accepted_tomorrow_rejected(draft):
    assert identity_form(draft, incorporated_on="2024-04-20").is_valid() is True

    form = identity_form(draft, incorporated_on="2024-04-21")
    assert form.is_valid() is False
    assert error_codes(form, "incorporated_on") == ["future_date"]


def test_identity_form_registered_capital_negative_rejected(draft):
    form = identity_form(draft, registered_capital="-1")

    assert form.is_valid() is False
    assert error_codes(form, "registered_capital") == ["min_value"]


def test_identity_form_blank_answers_are_a_valid_draft(draft):
    form = IdentityForm({}, instance=draft)

    assert form.is_valid() is True


def test_identity_form_alliance_account_taken_in_the_campaign(draft, campaign):
    ApplicationFactory(campaign=campaign, alliance_account="mm_taken")

    form = identity_form(draft, alliance_account="mm_taken")

    assert form.is_valid() is False
    assert error_codes(form, "alliance_account") == ["duplicate_account"]
    assert form.errors["alliance_account"] == ["该淘宝联盟账号已在本轮纳新中提交过申请。"]


def test_identity_form_alliance_account_listed_as_associated_rejected(draft):
    draft.associated_accounts = ["mm_other", "MM_888001"]

    form = identity_form(draft)

    assert form.is_valid() is False
    assert error_codes(form, "alliance_account") == ["own_account_associated"]


def test_save_answers_turns_a_race_on_the_account_into_a_form_error(draft, campaign):
    form = identity_form(draft, alliance_account="mm_race")
    assert form.is_valid() is True
    ApplicationFactory(campaign=campaign, alliance_account="mm_race")  # another draft wins meanwhile

    assert save_answers(form) is False

    assert form.errors["alliance_account"] == ["该淘宝联盟账号已在本轮纳新中提交过申请。"]
    draft.refresh_from_db()
    assert draft.alliance_account != "mm_race"


def risk_form(draft, **changes):
    data = {"entity_type": "company", "associated_accounts": "", "previous_permission": "never"}
    return RiskForm({**data, **changes}, instance=draft)


def test_risk_form_associated_accounts_one_per_line_deduplicated(draft):
    form = risk_form(draft, associated_accounts=" mm_a \r\n\r\nmm_b\nMM_A\nmm_b\n")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["associated_accounts"] == ["mm_a", "mm_b"]


def test_risk_form_associated_accounts_must_not_contain_own_account(draft):
    form = risk_form(draft, associated_accounts=f"mm_a\n{draft.alliance_account.upper()}")

    assert form.is_valid() is False
    assert error_codes(form, "associated_accounts") == ["own_account_associated"]


def test_risk_form_associated_account_too_long(draft):
    form = risk_form(draft, associated_accounts="m" * 65)

    assert form.is_valid() is False
    assert error_codes(form, "associated_accounts") == ["account_too_long"]


def test_risk_form_shows_stored_accounts_one_per_line(draft):
    draft.associated_accounts = ["mm_a", "mm_b"]

    assert RiskForm(instance=draft).initial["associated_accounts"] == "mm_a\nmm_b"


def test_risk_form_closed_date_in_the_future_rejected(draft):
    form = risk_form(draft, previous_permission="cleared", previous_closed_on="2024-04-21")

    assert form.is_valid() is False
    assert error_codes(form, "previous_closed_on") == ["future_date"]


def test_risk_form_closed_date_dropped_when_never_held(draft):
    form = risk_form(draft, previous_permission="never", previous_closed_on="2023-10-01")

    assert form.is_valid() is True
    assert form.cleaned_data["previous_closed_on"] is None


def test_risk_form_closed_date_kept_when_cleared(draft):
    form = risk_form(draft, previous_permission="cleared", previous_closed_on="2023-10-01")

    assert form.is_valid() is True
    assert form.cleaned_data["previous_closed_on"] == date(2023, 10, 1)


def qualifications_form(draft, **changes):
    data = {"years_in_business": "3", "team_total": "10", "team_recruiting": "6", "team_operations": "4",
            "has_offsite_promotion": "True", "offsite_promotion_detail": "小红书"}
    return QualificationsForm({**data, **changes}, instance=draft)


def test_qualifications_form_team_sum_equal_to_total_accepted(draft):
    form = qualifications_form(draft)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["has_offsite_promotion"] is True


def test_qualifications_form_team_sum_above_total_rejected(draft):
    form = qualifications_form(draft, team_operations="5")

    assert form.is_valid() is False
    assert form.errors["team_total"] == ["招商人员（6）与运营人员（5）之和超过了团队总人数（10）。"]


@pytest.mark.parametrize("field", ["years_in_business", "team_total", "team_recruiting", "team_operations"])
def test_qualifications_form_negative_numbers_rejected(draft, field):
    form = qualifications_form(draft, **{field: "-1"})

    assert form.is_valid() is False
    assert error_codes(form, field) == ["min_value"]


def test_qualifications_form_no_offsite_promotion_is_an_answer(draft):
    form = qualifications_form(draft, has_offsite_promotion="False")

    assert form.is_valid() is True
    assert form.cleaned_data["has_offsite_promotion"] is False


@pytest.mark.parametrize("field", ["new_merchants_available", "target_gmv", "target_new_merchants"])
def test_assessment_form_negative_numbers_rejected(draft, field):
    form = AssessmentForm({field: "-5"}, instance=draft)

    assert form.is_valid() is False
    assert error_codes(form, field) == ["min_value"]


def test_assessment_form_saves_exclusive_channels_answer(draft):
    form = AssessmentForm({"has_exclusive_channels": "False", "target_gmv": "1200.50"}, instance=draft)

    assert form.is_valid() is True
    assert save_answers(form) is True
    draft.refresh_from_db()
    assert draft.has_exclusive_channels is False
    assert str(draft.target_gmv) == "1200.50"
