"""Read-only renderings of answers shared by the staff pages (the application page, the round-1 page)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from . import questionnaire
from .enums import OtherPlatform
from .models import Application
from .resources import join_labels


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


class AnswerColumnsMixin:
    """The read-only answer columns an application's staff pages share (the application admin, the round-1
    queue): associated accounts and other-platform roles by their labels, the custom questions' answers."""

    @admin.display(description=Application._meta.get_field("associated_accounts").verbose_name)
    def associated_accounts_display(self, obj):
        return join_labels(obj.associated_accounts)

    @admin.display(description=Application._meta.get_field("other_platform_roles").verbose_name)
    def other_platform_roles_display(self, obj):
        return join_labels(obj.other_platform_roles, OtherPlatform)

    @admin.display(description=Application._meta.get_field("custom_answers").verbose_name)
    def custom_answers_display(self, obj):
        return custom_answers_html(obj)
