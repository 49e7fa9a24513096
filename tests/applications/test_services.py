from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import IntegrityError, transaction

from applications import services
from applications.enums import ApplicationStatus
from applications.models import Application, StatusChange
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, CampaignFactory, UserFactory

LAST_SECOND = beijing(2024, 4, 25, 23, 59, 59)
FIRST_SECOND_AFTER = beijing(2024, 4, 26, 0, 0, 0)
OPENING = beijing(2024, 4, 1, 0, 0, 0)


def transitions(application):
    return list(application.status_changes.values_list("from_status", "to_status"))


def test_submit_application_succeeds_at_the_last_second(complete_draft, applicant):
    services.submit_application(complete_draft, actor=applicant, now=LAST_SECOND.replace(microsecond=999999))

    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.SUBMITTED
    assert complete_draft.submitted_at == LAST_SECOND.replace(microsecond=999999)
    assert transitions(complete_draft) == [("draft", "submitted")]
    assert StatusChange.objects.get(application=complete_draft).actor == applicant


def test_submit_application_refused_one_second_after_the_deadline(complete_draft, applicant):
    with pytest.raises(services.WindowClosed) as error:
        services.submit_application(complete_draft, actor=applicant, now=FIRST_SECOND_AFTER)

    assert str(error.value) == "报名已于北京时间 2024-04-25 23:59:59 截止，无法再提交。"
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.DRAFT
    assert complete_draft.submitted_at is None
    assert transitions(complete_draft) == []


def test_submit_application_refused_one_second_before_opening(complete_draft, applicant):
    with pytest.raises(services.WindowClosed) as error:
        services.submit_application(complete_draft, actor=applicant, now=OPENING - timedelta(seconds=1))

    assert str(error.value) == "报名将于北京时间 2024-04-01 00:00 开启，暂时无法提交。"
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.DRAFT


def test_submit_application_succeeds_at_the_opening_second(complete_draft, applicant):
    services.submit_application(complete_draft, actor=applicant, now=OPENING)

    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.SUBMITTED


def test_submit_application_incomplete_lists_what_is_missing(draft, applicant):
    draft.company_name = ""
    draft.has_offsite_promotion = True
    draft.offsite_promotion_detail = ""
    draft.save()

    with pytest.raises(services.IncompleteApplication) as error:
        services.submit_application(draft, actor=applicant, now=LAST_SECOND)

    assert [(m.section.slug, m.key) for m in error.value.missing] == [
        ("identity", "company_name"),
        ("qualifications", "offsite_promotion_detail"),
        ("cases", "cases"),
        ("attachments", "attachments"),
    ]
    assert str(error.value) == (
        "申请信息尚不完整，还缺少：公司名称、站外推广说明、至少一个历史合作案例、至少一份证明材料。"
    )
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_submit_application_twice_refused(submitted, applicant):
    with pytest.raises(services.TransitionNotAllowed) as error:
        services.submit_application(submitted, actor=applicant, now=LAST_SECOND)

    assert str(error.value) == "只有草稿可以提交，该申请当前为“已提交”。"
    assert transitions(submitted) == [("draft", "submitted")]


def test_one_application_per_alliance_account_per_campaign_is_a_database_constraint(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(campaign=draft.campaign, alliance_account=draft.alliance_account)

    assert Application.objects.filter(alliance_account=draft.alliance_account).count() == 1


def test_same_alliance_account_allowed_in_another_campaign(draft):
    other_campaign = CampaignFactory(slug="2025-nx3", is_current=False)

    other = ApplicationFactory(campaign=other_campaign, alliance_account=draft.alliance_account)

    assert other.alliance_account == draft.alliance_account


def test_two_blank_drafts_do_not_clash_on_the_account_constraint(campaign):
    first = ApplicationFactory(campaign=campaign, alliance_account="")
    second = ApplicationFactory(campaign=campaign, alliance_account="")

    assert first.pk != second.pk


def test_start_application_creates_one_draft_inside_the_window(campaign, applicant):
    first = services.start_application(applicant, campaign=campaign, now=beijing(2024, 4, 10))
    again = services.start_application(applicant, campaign=campaign, now=beijing(2024, 4, 10))

    assert first.pk == again.pk
    assert first.status == ApplicationStatus.DRAFT
    assert first.email == applicant.email
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_start_application_after_the_deadline_creates_nothing(campaign, applicant):
    with pytest.raises(services.WindowClosed) as error:
        services.start_application(applicant, campaign=campaign, now=FIRST_SECOND_AFTER)

    assert str(error.value) == "本轮纳新已于北京时间 2024-04-25 23:59:59 截止报名。"
    assert Application.objects.filter(applicant=applicant).count() == 0


def test_start_application_after_the_deadline_returns_an_existing_draft(draft, applicant, campaign):
    assert services.start_application(applicant, campaign=campaign, now=FIRST_SECOND_AFTER) == draft


def test_withdraw_application_before_the_deadline(submitted, applicant):
    services.withdraw_application(submitted, actor=applicant, now=LAST_SECOND, reason="资料需要更新")

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN
    assert submitted.withdrawn_at == LAST_SECOND
    assert transitions(submitted) == [("draft", "submitted"), ("submitted", "withdrawn")]
    assert submitted.status_changes.get(to_status="withdrawn").reason == "资料需要更新"


def test_withdraw_application_after_the_deadline_refused(submitted, applicant):
    with pytest.raises(services.WindowClosed) as error:
        services.withdraw_application(submitted, actor=applicant, now=FIRST_SECOND_AFTER)

    assert str(error.value) == "报名已于北京时间 2024-04-25 23:59:59 截止，无法再撤回。"
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_withdraw_a_draft_refused(draft, applicant):
    with pytest.raises(services.TransitionNotAllowed):
        services.withdraw_application(draft, actor=applicant, now=LAST_SECOND)

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_reopen_application_while_open_then_resubmit(submitted, applicant):
    services.withdraw_application(submitted, actor=applicant, now=beijing(2024, 4, 21))

    services.reopen_application(submitted, actor=applicant, now=LAST_SECOND)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.DRAFT
    assert submitted.submitted_at is None
    assert submitted.declaration_accepted is False
    assert submitted.is_editable is True
    submitted.declaration_accepted = True
    submitted.save()
    services.submit_application(submitted, actor=applicant, now=LAST_SECOND)
    assert transitions(submitted) == [
        ("draft", "submitted"), ("submitted", "withdrawn"), ("withdrawn", "draft"), ("draft", "submitted"),
    ]


def test_reopen_application_after_the_deadline_refused(submitted, applicant):
    services.withdraw_application(submitted, actor=applicant, now=beijing(2024, 4, 21))

    with pytest.raises(services.WindowClosed) as error:
        services.reopen_application(submitted, actor=applicant, now=FIRST_SECOND_AFTER)

    assert str(error.value) == "报名已于北京时间 2024-04-25 23:59:59 截止，无法再重新编辑。"
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN


def test_submission_sends_one_confirmation_email_after_commit(
    complete_draft, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.submit_application(complete_draft, actor=applicant, now=beijing(2024, 4, 20, 10))

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]  # the account's own address, not the questionnaire's
    assert complete_draft.email not in message.to
    assert message.subject == "申请已收到：淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）"
    assert f"{complete_draft.company_name}（淘宝联盟账号 {complete_draft.alliance_account}）" in message.body
    assert "提交时间：北京时间 2024-04-20 10:00:00" in message.body
    complete_draft.refresh_from_db()
    assert complete_draft.confirmation_sent_at is not None


def test_confirmation_task_run_twice_sends_one_email(submitted):
    from applications.tasks import send_submission_confirmation

    first = send_submission_confirmation.delay(application_id=submitted.pk).get()
    second = send_submission_confirmation.delay(application_id=submitted.pk).get()

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_confirmation_task_for_a_missing_application_does_nothing(db):
    from applications.tasks import send_submission_confirmation

    assert send_submission_confirmation.delay(application_id=987654).get() is False
    assert mail.outbox == []


def test_failed_submission_sends_no_email(draft, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.IncompleteApplication):
        services.submit_application(draft, actor=applicant, now=beijing(2024, 4, 20, 10))

    assert mail.outbox == []


def test_transition_not_in_the_table_changes_nothing(draft):
    with pytest.raises(services.TransitionNotAllowed):
        services.transition(draft, ApplicationStatus.WITHDRAWN, actor=UserFactory())

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert transitions(draft) == []


# --- Finding the applicant's application (the pages' first query) ----------------------------------


def test_application_in_current_campaign_comes_with_its_campaign_in_one_query(
    campaign, draft, applicant, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = services.application_in_current_campaign(applicant)
        campaign_name = found.campaign.name

    assert (found, campaign_name) == (draft, campaign.name)


def test_application_in_current_campaign_ignores_an_application_in_another_campaign(campaign, draft, applicant):
    Campaign.objects.update(is_current=False)
    CampaignFactory(slug="nx3", is_current=True)

    assert services.application_in_current_campaign(applicant) is None
    assert services.latest_application(applicant) == draft


def test_application_in_current_campaign_is_none_for_another_user_or_anonymous(campaign, draft, other_applicant):
    assert services.application_in_current_campaign(other_applicant) is None
    assert services.application_in_current_campaign(AnonymousUser()) is None
    assert services.latest_application(AnonymousUser()) is None


def test_followed_application_prefers_the_current_campaign_then_the_latest(campaign, draft, applicant):
    Campaign.objects.update(is_current=False)
    next_campaign = CampaignFactory(slug="nx3", is_current=True)

    before = services.followed_application(applicant)
    current = ApplicationFactory(campaign=next_campaign, applicant=applicant)
    after = services.followed_application(applicant)

    assert (before, after) == (draft, current)
