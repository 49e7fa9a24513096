"""Read-only renderings of answers shared by the staff pages (the application page, the round-1 page)."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from . import questionnaire


def custom_answers_html(application):
    """The answers to the campaign's custom questions (and to questions since removed), read-only."""
    rows = questionnaire.custom_answer_rows(application)
    if not rows:
        return "—"
    return format_html(
        '<dl class="custom-answers">{}</dl>',
        format_html_join(
            "", '<dt>{} · {}</dt><dd>{}</dd>',
            ((section, label, gettext("Not answered") if value is None else value) for section, label, value in rows),
        ),
    )
