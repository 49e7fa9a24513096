import pytest


@pytest.mark.django_db
def test_language_is_chinese_even_when_the_browser_asks_for_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans">' in response.content.decode()


@pytest.mark.django_db
def test_language_follows_the_switcher_cookie(client):
    client.cookies["django_language"] = "en"

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_language_cookie_with_unknown_value_falls_back_to_chinese(client):
    client.cookies["django_language"] = "fr"

    response = client.get("/")

    assert response["Content-Language"] == "zh-hans"
