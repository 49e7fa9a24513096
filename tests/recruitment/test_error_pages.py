"""Branded error pages (DEBUG off, as pytest-django runs): 403, 404, the CSRF failure and 500, in Chinese by
default and in English when the visitor picked it, each with a way back: home and 申请进度 for applicants, the
admin index for staff. 500.html renders without a request and without the database."""

import re

import pytest
from django.conf import settings
from django.test import Client

from reviews import roles
from tests.factories import UserFactory
from tests.reviews.factories import staff_with_role

ERROR_URLS = "tests.recruitment.error_urls"


def ways_back(response):
    """The ids and targets of the links under the message."""
    block = re.search(r'<p class="[^"]*" id="error-ways-back">(.*?)</p>', response.content.decode(), re.S).group(1)
    return re.findall(r'id="(error-[a-z]+-link)" href="([^"]+)"', block)


def heading(response):
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1)


def test_error_pages_are_tested_with_debug_off():
    assert settings.DEBUG is False


# --- 404 --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_404_for_a_visitor_is_chinese_with_home_and_login(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert heading(response) == "页面不存在"
    assert "<title>页面不存在</title>" in response.content.decode()
    assert ways_back(response) == [("error-home-link", "/"), ("error-login-link", "/accounts/login/")]


@pytest.mark.django_db
def test_404_for_an_applicant_leads_to_the_status_page(client, applicant):
    client.force_login(applicant)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert ways_back(response) == [("error-home-link", "/"), ("error-status-link", "/status/")]
    assert ">申请进度</a>" in response.content.decode()


@pytest.mark.django_db
def test_404_for_staff_leads_to_the_admin_index(client):
    client.force_login(staff_with_role(roles.ROUND1_REVIEWER, username="reviewer-404"))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert ways_back(response) == [("error-admin-link", "/admin/")]
    assert ">返回管理后台</a>" in response.content.decode()


@pytest.mark.django_db
def test_404_is_the_same_page_whatever_was_asked_for(client, applicant):
    """No path and no CSRF token in the page: a 404 tells nothing about what was asked for."""
    client.force_login(applicant)

    first, second = client.get("/attachments/1/"), client.get("/no-such-page/?q=secret")

    assert (first.status_code, second.status_code) == (404, 404)
    assert first.content == second.content
    assert b"csrfmiddlewaretoken" not in first.content


@pytest.mark.django_db
def test_404_in_english_when_the_visitor_picked_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert heading(response) == "Page not found"
    assert '<html lang="en">' in response.content.decode()
    assert ">Home page</a>" in response.content.decode()


# --- 403 --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_403_for_an_applicant_is_chinese_with_home_and_status(client, applicant):
    client.force_login(applicant)

    response = client.get("/test-errors/forbidden/")

    assert response.status_code == 403
    assert heading(response) == "无权访问"
    assert "您无权打开此页面。如您认为有误，请使用提交申请的账号登录。" in response.content.decode()
    assert ways_back(response) == [("error-home-link", "/"), ("error-status-link", "/status/")]


@pytest.mark.django_db
def test_403_for_staff_without_the_permission_names_the_role_and_leads_to_the_admin(client):
    """A real refusal: a staff user without any role opens the applications in the admin."""
    client.force_login(UserFactory(username="no-role-staff", is_staff=True))

    response = client.get("/admin/applications/application/")

    assert response.status_code == 403
    assert heading(response) == "无权访问"
    assert "您的角色无权打开此页面或执行此操作。如确有需要，请联系活动管理员授予相应角色。" in response.content.decode()
    assert ways_back(response) == [("error-admin-link", "/admin/")]


@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_403_in_english_when_the_visitor_picked_english(client, applicant):
    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/test-errors/forbidden/")

    assert response.status_code == 403
    assert heading(response) == "Access denied"
    assert ">Application status</a>" in response.content.decode()


# --- CSRF failure -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_csrf_failure_on_a_real_post_without_token_is_the_branded_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "13900000001", "password": "x"})

    assert response.status_code == 403
    assert heading(response) == "页面已过期，提交未成功"
    assert "本次内容未保存。请返回并刷新页面后重新提交（请允许本站使用 Cookie）。" in response.content.decode()
    assert "供客服排查：CSRF 校验未通过（403）。" in response.content.decode()
    assert ways_back(response) == [("error-home-link", "/"), ("error-login-link", "/accounts/login/")]


@pytest.mark.django_db
def test_csrf_failure_for_an_applicant_changes_nothing_and_leads_to_the_status_page(submitted, applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)

    response = client.post("/status/withdraw/", {"application": submitted.pk})

    assert response.status_code == 403
    assert heading(response) == "页面已过期，提交未成功"
    assert ways_back(response) == [("error-home-link", "/"), ("error-status-link", "/status/")]
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.django_db
def test_csrf_failure_for_staff_leads_to_the_admin():
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_with_role(roles.ROUND1_REVIEWER, username="reviewer-csrf"))

    response = client.post("/admin/applications/application/", {"action": "export_csv"})

    assert response.status_code == 403
    assert heading(response) == "页面已过期，提交未成功"
    assert ways_back(response) == [("error-admin-link", "/admin/")]


@pytest.mark.django_db
def test_csrf_failure_in_english():
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post("/accounts/login/", {"username": "13900000001", "password": "x"})

    assert response.status_code == 403
    assert heading(response) == "This form has expired"


# --- 500 (no django_db mark: touching the database would fail the test) -------------------------------------

@pytest.mark.urls(ERROR_URLS)
def test_500_is_chinese_with_ways_back_and_needs_no_database():
    client = Client(raise_request_exception=False)

    response = client.get("/test-errors/broken/")

    assert response.status_code == 500
    assert heading(response) == "服务器出错了"
    assert '<html lang="zh-Hans">' in response.content.decode()
    assert ways_back(response) == [
        ("error-home-link", "/"), ("error-status-link", "/status/"), ("error-admin-link", "/admin/"),
    ]
    assert ">申请进度</a>" in response.content.decode()
    assert ">工作人员：返回管理后台</a>" in response.content.decode()


@pytest.mark.urls(ERROR_URLS)
def test_500_in_english_when_the_visitor_picked_english():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/test-errors/broken/")

    assert response.status_code == 500
    assert heading(response) == "Server error"
    assert '<html lang="en">' in response.content.decode()
