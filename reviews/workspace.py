"""The campaign a member of staff works on (工作活动): one campaign at a time on the dashboard and every queue.

Two campaigns may run at once, one in review and one in probation. Each staff member works on one of them
at a time: the one they chose (``choose_campaign``, remembered per user in ``accounts.WorkspaceChoice``),
or, until they choose, the one whose stage their role works on (``default_campaign``): the review roles
(round-1 reviewer, risk officer, committee, campaign admin) the campaign in review, operations the campaign
in probation. The admin's queues show that campaign unless the URL names another (their campaign filter).

A campaign is *in review* from the first day of its review period until its results are published, and *in
probation* from publication while its probation runs (Beijing calendar days).
"""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from accounts.models import WorkspaceChoice
from probation import permissions as probation_permissions
from recruitment.models import Campaign
from recruitment.timeutils import local

from . import permissions

REVIEW, PROBATION = "review", "probation"


def works_on(user):
    """The stage a staff member's role works on: ``REVIEW`` for any review role (the campaign admin and
    superusers too), ``PROBATION`` for operations (the probation board but no review queue)."""
    reviews = (permissions.can_review_round1(user) or permissions.can_view_risk(user) or permissions.can_score(user)
               or permissions.can_view_ranking(user))
    if not reviews and probation_permissions.can_view_probation(user):
        return PROBATION
    return REVIEW


def in_review(today):
    return Q(published_at__isnull=True, review_starts_on__lte=today)


def in_probation(today):
    return Q(published_at__isnull=False, probation_starts_on__lte=today, probation_ends_on__gte=today)


def default_campaign(user, *, now=None):
    """The campaign ``user``'s role works on today, in one query. Review roles: the campaign in review, else the
    current campaign (its window open: the next to review), else the one in probation. Operations: the campaign
    in probation, else the one in review, else the current one. Then the latest; among equals the current
    campaign, then the latest by opening of applications. ``None`` without any campaign."""
    today = local(now or timezone.now()).date()
    current = Q(is_current=True)
    if works_on(user) == PROBATION:
        stages = [in_probation(today), in_review(today), current]
    else:
        stages = [in_review(today), current, in_probation(today)]
    rank = Case(*(When(stage, then=Value(i)) for i, stage in enumerate(stages)), default=Value(len(stages)),
                output_field=IntegerField())
    return (Campaign.objects.annotate(workspace_rank=rank)
            .order_by("workspace_rank", "-is_current", "-application_opens_at", "-pk").first())


def chosen_campaign(user, *, now=None):
    """The campaign ``user`` chose (``choose_campaign``), else ``default_campaign``."""
    choice = WorkspaceChoice.objects.filter(user_id=user.pk).select_related("campaign").first()
    if choice is not None:
        return choice.campaign
    return default_campaign(user, now=now)


def choose_campaign(user, campaign):
    """Remember ``campaign`` as the one ``user`` works on (replacing an earlier choice)."""
    WorkspaceChoice.remember(user, campaign)


def campaign_of_request(request):
    """``chosen_campaign`` of the request's user, read once per request (the dashboard, the header's switch
    and the queue's filter all ask)."""
    if not hasattr(request, "_workspace_campaign"):
        request._workspace_campaign = chosen_campaign(request.user)
    return request._workspace_campaign
