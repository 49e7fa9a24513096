"""Read-only renderings of answers shared by the staff pages (the application page, the round-1 page)."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from . import questionnaire


def custom_answers_html(application):
    """The answers to the campaign's custom questions (and to questions since removed), read-only; a file
    answer links to the download view (which checks the viewer's permission again)."""
    rows = questionnaire.custom_answer_rows(application)
    if not rows:
        return "—"
    items = []
    for section, label, value, attachment_id in rows:
        if value is None:
            shown = gettext("Not answered")
        elif attachment_id:
            shown = format_html('<a href="{}">{}</a>', reverse("applications:attachment", args=[attachment_id]), value)
        else:
            shown = value
        items.append((section, label, shown))
    return format_html('<dl class="custom-answers">{}</dl>', format_html_join("", "<dt>{} · {}</dt><dd>{}</dd>", items))
