"""Screen readers read a field's help through ``aria-describedby``: every id a questionnaire input names
must exist on the page (the help texts used to carry other ids, so no help was ever read)."""

import re

import pytest
from django.urls import reverse

from applications import questionnaire

pytestmark = pytest.mark.django_db


def described_and_missing(page):
    """(every id named by an aria-describedby, those of them with no element on the page)."""
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    named = [ref for refs in re.findall(r'aria-describedby="([^"]+)"', page) for ref in refs.split()]
    return named, [ref for ref in named if ref not in ids]


def test_every_questionnaire_help_text_is_found_by_its_field(client, complete_draft, inside_window):
    client.force_login(complete_draft.applicant)
    named_on_all_pages, missing_on_all_pages = [], []

    for section in questionnaire.SECTIONS:
        response = client.get(reverse("applications:section", args=[section.slug]))
        assert response.status_code == 200
        named, missing = described_and_missing(response.content.decode())
        named_on_all_pages += named
        missing_on_all_pages += [(section.slug, ref) for ref in missing]

    assert missing_on_all_pages == []
    assert "id_industries_helptext" in named_on_all_pages  # a help text of the assessment section
    assert len(named_on_all_pages) >= 17


def test_help_texts_are_found_when_the_section_shows_errors(client, draft, inside_window):
    client.force_login(draft.applicant)

    response = client.post(reverse("applications:section", args=["identity"]), {
        "alliance_account": draft.alliance_account, "credit_code": "91330106ABC", "mobile": "12345",
        "action": "save",
    })

    page = response.content.decode()
    named, missing = described_and_missing(page)
    assert page.count('class="form-row field-error"') >= 2
    assert named != []
    assert missing == []
