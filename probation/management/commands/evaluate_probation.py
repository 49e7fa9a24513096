from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from probation import decisions, services
from probation.campaigns import CampaignChoiceError, parse_instant, resolve_campaign
from recruitment.models import Campaign


class Command(BaseCommand):
    help = (
        "Decide the probation checks due at or before min(now, data mark), or --as-of TIME (the operator's "
        "assertion that the data is complete up to then); close the permissions that fail; retain at probation end. "
        "--dry-run prints the decisions and writes nothing; --recheck decides every decided check again on the data "
        "now on hand (reinstating or closing). Without --campaign, every campaign. See DATA.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="TIME", help="ISO 8601; no offset: Beijing time. Not in the future.")
        parser.add_argument("--campaign", metavar="SLUG")
        parser.add_argument("--dry-run", action="store_true", help="Print the decisions; write nothing, tell no one.")
        parser.add_argument("--recheck", action="store_true", help="Decide every decided check again on today's data.")

    def handle(self, *args, as_of=None, campaign=None, dry_run=False, recheck=False, **options):
        now = timezone.now()
        try:
            as_of = parse_instant(as_of, option="--as-of") if as_of else None
            campaigns = [resolve_campaign(campaign)] if campaign else list(Campaign.objects.order_by("slug"))
            decisions.refuse_future(as_of, now)
        except (CampaignChoiceError, decisions.FutureInstant) as error:
            raise CommandError(str(error)) from None
        for one in campaigns:
            if recheck and one.decided_until is None:
                self.stdout.write(f"{one.slug}: nothing decided yet: nothing to recheck; deciding as usual")
            try:
                if as_of is not None:
                    result = services.evaluate_due_checks(one, as_of=as_of, dry_run=dry_run, recheck=recheck)
                else:
                    result = services.evaluate_scheduled(one, now=now, dry_run=dry_run, recheck=recheck)
            except decisions.DecisionRefused as error:
                raise CommandError(f"{one.slug}: {error}") from None
            for line in result.lines(dry_run=dry_run):
                self.stdout.write(line)
