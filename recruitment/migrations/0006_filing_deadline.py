"""The filing deadline (系统备案截止) and its reminder offsets.

The 2024 campaign's deadline is 2024-04-27 23:59:59 Beijing time: two days after the application window
closes (2024-04-25 23:59:59), so an application passed in round 1 the day after the window still has a
whole day to file, and the final committee keeps 04-28 and 04-29, the last days of the announced review
period (04-22 – 04-29), for the last filers. Any other campaign already in the database gets the same
offset from its own window close (a demo campaign, shifted from 2024, lands where the shift puts it),
never later than one second before its results date.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations, models

import recruitment.validators

BJ = ZoneInfo("Asia/Shanghai")
SLUG_2024 = "2024-nx2"
DEADLINE_2024 = datetime(2024, 4, 27, 23, 59, 59, tzinfo=BJ)
AFTER_WINDOW = timedelta(days=2)


def deadline_for(campaign):
    if campaign.slug == SLUG_2024:
        return DEADLINE_2024
    return min(campaign.application_closes_at + AFTER_WINDOW, campaign.results_published_at - timedelta(seconds=1))


def set_deadlines(apps, schema_editor):
    Campaign = apps.get_model("recruitment", "Campaign")
    for campaign in Campaign.objects.filter(filing_deadline__isnull=True):
        Campaign.objects.filter(pk=campaign.pk).update(filing_deadline=deadline_for(campaign),
                                                       filing_reminder_hours="72,24")


class Migration(migrations.Migration):

    dependencies = [
        ("recruitment", "0005_data_mark"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="filing_deadline",
            field=models.DateTimeField(
                null=True,
                help_text="Inclusive to the second. Applicants who passed round 1 file until then; after it the "
                "risk officer may close out those who have not filed (未按时备案).",
                verbose_name="filing deadline (系统备案截止)",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="filing_reminder_hours",
            field=models.CharField(
                blank=True,
                default="72,24",
                help_text="Comma-separated, e.g. 72,24: applicants who passed round 1 and have not filed are "
                "reminded once at each. Empty: no reminders.",
                max_length=100,
                validators=[recruitment.validators.validate_hours_list],
                verbose_name="filing reminders (hours before the deadline)",
            ),
        ),
        migrations.RunPython(set_deadlines, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="campaign",
            name="filing_deadline",
            field=models.DateTimeField(
                help_text="Inclusive to the second. Applicants who passed round 1 file until then; after it the "
                "risk officer may close out those who have not filed (未按时备案).",
                verbose_name="filing deadline (系统备案截止)",
            ),
        ),
    ]
