import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from probation.campaigns import CampaignChoiceError, resolve_campaign
from probation.imports import KINDS, import_file


class Command(BaseCommand):
    help = "Import one alliance export (CSV in UTF-8/GBK or XLSX), all or nothing. See DATA.md."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file")
        parser.add_argument("--campaign", metavar="SLUG", help="Campaign slug; optional with one campaign.")

    def handle(self, *args, kind, file, campaign=None, **options):
        try:
            campaign = resolve_campaign(campaign)
        except CampaignChoiceError as error:
            raise CommandError(str(error)) from None
        try:
            result = import_file(kind, file, campaign=campaign)
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from None
        except (DatabaseError, psycopg.Error) as error:
            # E.g. the connection was lost mid-import: the transaction rolled back, so nothing was written.
            raise CommandError(
                f"{kind}: the database failed during the import ({' '.join(str(error).split())}); "
                "nothing was imported; run the command again"
            ) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{kind}: {len(result.errors)} error(s) in {file}; nothing was imported", returncode=1
            )
        self.stdout.write(
            f"{kind}: {result.rows} rows imported into {campaign.slug}: "
            f"{result.created} created, {result.updated} updated"
        )
