"""The application deadline's DingTalk alert (``notifications.alerts``): once per campaign, soon after its
deadline, with the counts, to the campaign's group, @-mentioning the campaign admins."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from notifications import alerts
from notifications.models import AlertKind, DingTalkAlert
from recruitment import timeutils
from recruitment.models import Campaign

from .enums import ApplicationStatus
from .services import status_counts

S = ApplicationStatus

#: Who is mentioned: the campaign admins (they hold the permission to publish the results).
CAMPAIGN_ADMIN_PERMISSION = "recruitment.publish_results"


def deadline_key(campaign):
    return f"deadline_passed:{campaign.pk}:{alerts.key_time(campaign.application_closes_at)}"


def alert_deadlines(*, now):
    """Raise the alert of each campaign whose application deadline passed before ``now`` (its last second still
    accepts submissions) and less than ``DINGTALK_DEADLINE_ALERT_DAYS`` ago (an older deadline is no news), unless
    raised already (moving the deadline raises it again for the new one). Returns the campaigns alerted."""
    since = now - timedelta(days=settings.DINGTALK_DEADLINE_ALERT_DAYS)
    campaigns = Campaign.objects.filter(application_closes_at__lt=now, application_closes_at__gt=since).order_by("pk")
    raised = []
    for campaign in campaigns:
        if DingTalkAlert.objects.filter(key=deadline_key(campaign)).exists():
            continue
        if alert_deadline(campaign):
            raised.append(campaign)
    return raised


def deadline_counts(campaign):
    """``{"submitted", "drafts", "withdrawn"}``: applications that were submitted and stand (whatever review has
    done with them since), drafts never submitted, and those withdrawn."""
    by_status = status_counts(campaign)
    drafts, withdrawn = by_status.pop(S.DRAFT, 0), by_status.pop(S.WITHDRAWN, 0)
    return {"submitted": sum(by_status.values()), "drafts": drafts, "withdrawn": withdrawn}


def alert_deadline(campaign):
    counts = deadline_counts(campaign)
    with alerts.site_language():
        return alerts.raise_alert(
            kind=AlertKind.DEADLINE_PASSED, campaign=campaign, key=deadline_key(campaign),
            title=_("Applications closed: %(campaign)s") % {"campaign": campaign},
            text=_("The application window of %(campaign)s closed at %(at)s (Beijing time): %(submitted)d "
                   "submitted, %(drafts)d drafts never submitted, %(withdrawn)d withdrawn.") % {
                "campaign": campaign, "at": timeutils.instant_text(campaign.application_closes_at), **counts},
            mention=alerts.staff_with_permission(CAMPAIGN_ADMIN_PERMISSION),
        )
