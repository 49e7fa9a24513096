import pytest
import time_machine
from django.urls import reverse

from applications import services
from applications.enums import ApplicationStatus
from recruitment.timeutils import beijing

STATUS_URL = reverse("applications:status")


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


def status_text(page):
    return page.split('id="status-text">', 1)[1].split("</p>", 1)[0]


def test_status_without_application_links_to_start(logged_in, campaign, inside_window):
    page = logged_in.get(STATUS_URL).content.decode()

    assert status_text(page) == '<span class="badge badge-muted">未开始</span> 您还没有开始填写申请。'
    assert f'href="{reverse("applications:apply")}" id="btn-start">开始申请</a>' in page


def test_status_without_application_after_the_deadline_says_closed(logged_in, campaign, after_deadline):
    page = logged_in.get(STATUS_URL).content.decode()

    assert "报名已于北京时间 2024-04-25 23:59:59 截止。" in page
    assert 'id="btn-start"' not in page


def test_status_draft_shows_missing_items_and_deadline(logged_in, draft):
    with time_machine.travel(beijing(2024, 4, 23, 20, 0, 0), tick=False):
        page = logged_in.get(STATUS_URL).content.decode()

    assert status_text(page) == '<span class="badge badge-warn">草稿</span> 尚未提交。'
    assert "请在北京时间 2024-04-25 23:59:59 前提交，还剩 2\xa0日，3\xa0小时。" in page
    assert "还有 2 项未完成，补全后才能提交：" in page
    assert "必填项已完成 93%。" in page


def test_status_submitted_reads_under_review_even_after_publication(logged_in, submitted):
    with time_machine.travel(beijing(2024, 5, 7), tick=False):
        page = logged_in.get(STATUS_URL).content.decode()

    assert status_text(page) == '<span class="badge badge-ok">已提交，审核中</span>'
    assert (
        "提交时间：北京时间 2024-04-20 10:00:00。审核阶段为 2024-04-22 至 2024-04-29，结果将于 2024-05-06 公示。"
    ) in page
    assert f'href="{reverse("applications:overview")}?application={submitted.pk}" id="link-answers"' in page
    assert 'id="btn-withdraw"' not in page  # after the deadline


def test_status_submitted_offers_withdrawal_before_the_deadline(logged_in, submitted, inside_window):
    page = logged_in.get(STATUS_URL).content.decode()

    withdraw_url = f'{reverse("applications:withdraw")}?application={submitted.pk}'
    assert f'href="{withdraw_url}" id="btn-withdraw">撤回申请</a>' in page


def test_status_timeline_lists_the_changes(logged_in, submitted, applicant, inside_window):
    services.withdraw_application(submitted, actor=applicant, now=beijing(2024, 4, 21, 9, 30))

    page = logged_in.get(STATUS_URL).content.decode()

    timeline = page.split('id="timeline"', 1)[1]
    assert timeline.count("<li>") == 3
    assert "草稿 → <strong>已提交</strong>" in timeline
    assert "已提交 → <strong>已撤回</strong>" in timeline
    assert timeline.count("本人操作") == 2


def test_withdraw_asks_for_confirmation_and_changes_nothing_on_get(logged_in, submitted, inside_window):
    page = logged_in.get(reverse("applications:withdraw")).content.decode()

    assert "确定撤回申请吗？" in page
    assert 'id="btn-confirm-withdraw">确认撤回</button>' in page
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_withdraw_at_the_last_second(logged_in, submitted):
    with time_machine.travel(beijing(2024, 4, 25, 23, 59, 59), tick=False):
        response = logged_in.post(reverse("applications:withdraw"), {"reason": "需补充材料"})

    assert response["Location"] == STATUS_URL
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN
    assert submitted.status_changes.get(to_status="withdrawn").reason == "需补充材料"


def test_withdraw_after_the_deadline_refused(logged_in, submitted, after_deadline):
    response = logged_in.post(reverse("applications:withdraw"), follow=True)

    assert "报名已于北京时间 2024-04-25 23:59:59 截止，无法再撤回。" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_withdrawn_status_offers_reopen_while_open(logged_in, submitted, applicant, inside_window):
    services.withdraw_application(submitted, actor=applicant)

    page = logged_in.get(STATUS_URL).content.decode()

    assert status_text(page) == '<span class="badge badge-muted">已撤回</span> 该申请已撤回，不会进入审核。'
    assert 'id="btn-reopen">恢复为草稿并修改</button>' in page


def test_reopen_at_the_last_second_makes_a_draft_again(logged_in, submitted, applicant):
    services.withdraw_application(submitted, actor=applicant, now=beijing(2024, 4, 21))

    with time_machine.travel(beijing(2024, 4, 25, 23, 59, 59), tick=False):
        response = logged_in.post(reverse("applications:reopen"))

    assert response["Location"] == reverse("applications:section", args=["declaration"])
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.DRAFT


def test_reopen_after_the_deadline_refused(logged_in, submitted, applicant):
    services.withdraw_application(submitted, actor=applicant, now=beijing(2024, 4, 21))

    with time_machine.travel(beijing(2024, 4, 26), tick=False):
        page = logged_in.get(STATUS_URL).content.decode()
        response = logged_in.post(reverse("applications:reopen"), follow=True)

    assert 'id="btn-reopen"' not in page
    assert "报名已于北京时间 2024-04-25 23:59:59 截止，无法再重新编辑。" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN
