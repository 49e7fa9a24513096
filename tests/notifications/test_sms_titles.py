"""Every notification that can go out by SMS fits the notice template's title (35 characters, sms.SMS_KINDS).

A subject naming the campaign (up to 120 characters) can be longer than that, and a notice too long for its
template is refused, never cut: such a template carries a short SMS title of its own
(``notifications/<template>_sms_title.txt``), which ``notify`` puts in the notice instead of the subject.
"""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from notifications import services
from notifications.enums import DeliveryStatus
from notifications.models import Channel
from notifications.sms import SMS_KINDS
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

#: Templates whose subject is the caller's own (``generic``: tests and ad-hoc notices), or that go out only
#: by e-mail (``password_reset`` carries the link; mobile accounts get a code, ``phone_code``).
NOT_SMS_TEMPLATES = {"generic", "password_reset"}
TEMPLATE_FOLDERS = [Path(settings.BASE_DIR) / "templates" / "notifications",
                    Path(settings.BASE_DIR) / "notifications" / "templates" / "notifications"]


def sms_templates():
    names = {path.name.removesuffix("_subject.txt")
             for folder in TEMPLATE_FOLDERS for path in folder.glob("*_subject.txt")}
    return sorted(names - NOT_SMS_TEMPLATES)


def test_the_templates_read_are_the_projects_notifications():
    expected = {"round1_passed", "publication_selected", "probation_closed", "submission_confirmation"}
    assert expected <= set(sms_templates())


@pytest.mark.parametrize("template", sms_templates())
def test_a_notice_fits_its_template_even_for_the_longest_campaign_name(template, settings):
    settings.SMS_BACKEND = "tests.notifications.sms_outbox.RecordingSmsBackend"
    campaign = CampaignFactory(slug="long-name", is_current=False, name=("淘宝联盟拓客型招商团长招募" * 10)[:120])
    recipient = UserFactory(username="boss@example.com", mobile="13812345678")
    context = {"campaign": campaign, "month": date(2024, 12, 1), "user": recipient, "reset_url": "https://example.com/r/",
               "days": 3, "days_left": 2}

    (row,) = services.notify(event=f"{template}:1", recipient=recipient, template=template, context=context,
                             channels=[Channel.SMS])
    services.deliver(row.pk)

    row.refresh_from_db()
    assert len(row.sms_params["title"]) <= SMS_KINDS["notice"].params["title"] == 35
    assert (row.status, row.last_error) == (DeliveryStatus.SENT, "")


def test_a_template_with_a_short_title_sends_it_instead_of_the_subject(settings):
    settings.SMS_BACKEND = "tests.notifications.sms_outbox.RecordingSmsBackend"
    campaign = CampaignFactory(
        slug="long-name", is_current=False, name="淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）第二批次补录",
    )
    recipient = UserFactory(username="boss@example.com", mobile="13812345678")

    sms, email = services.notify(event="round1_passed:1", recipient=recipient, template="round1_passed",
                                 context={"campaign": campaign}, channels=[Channel.SMS, Channel.EMAIL])

    assert sms.sms_params == {"title": "初审已通过"}
    assert email.subject == "淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）第二批次补录：初审已通过"
