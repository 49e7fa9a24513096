from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from probation import datamark, services
from probation.campaigns import CampaignChoiceError, parse_instant, resolve_campaign


class Command(BaseCommand):
    help = (
        "Move the campaign's data mark (数据完整至) forward to TIME: every kind of alliance data is imported up to "
        "then. The scheduled job then decides the checks due up to min(now, mark). An earlier TIME or one later "
        "than now is refused; the same TIME changes nothing. See DATA.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("time", metavar="TIME", help="ISO 8601; no offset means Beijing time.")
        parser.add_argument("--campaign", metavar="SLUG", help="Campaign slug; optional with one campaign.")

    def handle(self, *args, time, campaign=None, **options):
        try:
            to = parse_instant(time, option="TIME")
            campaign = resolve_campaign(campaign)
        except CampaignChoiceError as error:
            raise CommandError(str(error)) from None
        now = timezone.now()
        try:
            previous = datamark.move_data_mark(campaign, to=to, actor=None, now=now)
        except datamark.MarkRefused as error:
            raise CommandError(f"{campaign.slug}: {error}") from None
        when = timezone.localtime(to).isoformat()
        if previous == to:
            self.stdout.write(f"{campaign.slug}: the data mark is already {when}: nothing changed")
            return
        was = timezone.localtime(previous).isoformat() if previous else "not set"
        self.stdout.write(f"{campaign.slug}: data complete until {when} (was: {was})")
        campaign.refresh_from_db()
        preview = services.evaluate_scheduled(campaign, now=now, dry_run=True)
        self.stdout.write(f"{campaign.slug}: the scheduled job (or evaluate_probation) will now decide:")
        for line in preview.lines():
            self.stdout.write(line)
