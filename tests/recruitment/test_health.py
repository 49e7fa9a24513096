import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_for_any_host(client):
    response = client.get("/healthz/", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_post_is_not_the_probe(client):
    response = client.post("/healthz/")

    assert response.status_code == 404
