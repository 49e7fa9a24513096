"""``manage.py seed_demo``: demo data for ``make run``; safe to run again (creates nothing twice).

It lives in reviews, the top domain, because the demo covers every app (``reviews.demo.seed``)."""

from django.core.management.base import BaseCommand, CommandError

from recruitment import timeutils
from recruitment.demo import TemplateCampaignMissing
from reviews import demo


class Command(BaseCommand):
    help = "Create the demo campaign (calendar around today), a staff superuser and demo applicants; print logins."

    def handle(self, *args, **options):
        try:
            campaign, logins = demo.seed()
        except TemplateCampaignMissing as exc:
            raise CommandError(str(exc)) from exc

        opens = timeutils.local(campaign.application_opens_at)
        closes = timeutils.local(campaign.application_closes_at)
        self.stdout.write(f"Current campaign: {campaign.name} [{campaign.slug}]")
        self.stdout.write(f"Application window: {opens:%Y-%m-%d %H:%M:%S} - {closes:%Y-%m-%d %H:%M:%S} (Beijing time)")
        self.stdout.write("Logins (applicants at /accounts/login/, staff at /admin/):")
        width = max(len(login.role) for login in logins)
        login_width = max(len(login.login) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<{width}}  {login.login:<{login_width}}  {login.password}")
