from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from probation.campaigns import CampaignChoiceError, resolve_campaign
from probation.services import evaluate_due_checks
from recruitment.models import Campaign
from recruitment.timeutils import BEIJING


def parse_as_of(value):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: not a time: {value} (e.g. 2024-06-01T00:00:00+08:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


class Command(BaseCommand):
    help = (
        "Evaluate every probation check due at or before --as-of (default now) not yet evaluated; close the "
        "permissions that fail; retain at probation end. Without --campaign, every campaign is evaluated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="TIME", help="ISO 8601; no offset means Beijing time.")
        parser.add_argument("--campaign", metavar="SLUG")

    def handle(self, *args, as_of=None, campaign=None, **options):
        as_of = parse_as_of(as_of) if as_of else timezone.now()
        if campaign:
            try:
                campaigns = [resolve_campaign(campaign)]
            except CampaignChoiceError as error:
                raise CommandError(str(error)) from None
        else:
            campaigns = list(Campaign.objects.order_by("slug"))
        for one in campaigns:
            for line in evaluate_due_checks(one, as_of=as_of).lines():
                self.stdout.write(line)
