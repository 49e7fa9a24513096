from django.core.management.base import BaseCommand, CommandError

from probation.campaigns import CampaignChoiceError, resolve_campaign
from probation.report import write_report


class Command(BaseCommand):
    help = "Write the probation report CSV of DATA.md to stdout, one row per leader in leader_account order."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", metavar="SLUG", help="Campaign slug; optional with one campaign.")

    def handle(self, *args, campaign=None, **options):
        try:
            campaign = resolve_campaign(campaign)
        except CampaignChoiceError as error:
            raise CommandError(str(error)) from None
        write_report(campaign, self.stdout)
