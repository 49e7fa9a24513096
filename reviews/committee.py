"""Each campaign's final-review committee (终审委员会): who scores its round-3 applications.

Two campaigns can be in review at once, each with its own judges. A member scores only the campaigns
whose committee they sit on (``reviews.final.submit_scores``, the round-3 queue and score page), and
selecting an application (择优通过, ``reviews.publication.record_decision``) needs a sheet from every
member of its campaign's committee, or an override with a reason.

The campaign admin assigns judges in the admin (``can_manage_committees``); only staff who may score
(``can_score``: the final committee role) can be assigned.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from applications.services import ApplicationError

from . import permissions
from .models import CommitteeMember, ScoreSheet


class CommitteeError(ApplicationError):
    """A change to a committee was refused; nothing was written."""


def members_of(campaign):
    """The committee's members (users), by login name."""
    return get_user_model().objects.filter(committee_seats__campaign=campaign).order_by("username")


def eligible_judges():
    """Active staff who may score (the final committee role, directly granted, or superusers): the
    choices offered when assigning a committee. ``add_member`` checks ``can_score`` again."""
    try:
        scoring = Permission.objects.get(content_type__app_label="reviews", codename="add_scoresheet")
    except Permission.DoesNotExist:
        return get_user_model().objects.none()
    return (
        get_user_model().objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions=scoring) | Q(user_permissions=scoring))
        .distinct()
        .order_by("username")
    )


def add_member(campaign, user, *, actor):
    """Seat ``user`` on ``campaign``'s committee and return the ``CommitteeMember``.

    Refused (``CommitteeError``) unless ``actor`` may manage committees and ``user`` may score; a user
    already seated is refused too (the database constraint decides when two requests race).
    """
    if not permissions.can_manage_committees(actor):
        raise CommitteeError(_("You may not change the final-review committees."))
    if not permissions.can_score(user):
        raise CommitteeError(
            _("%(user)s cannot score: only members of the final committee role can sit on a committee.")
            % {"user": user.get_username()}
        )
    try:
        with transaction.atomic():
            return CommitteeMember.objects.create(campaign=campaign, member=user)
    except IntegrityError as exc:
        raise CommitteeError(
            _("%(user)s already sits on this committee.") % {"user": user.get_username()}
        ) from exc


def remove_member(seat, *, actor):
    """Take a member off a committee. Their submitted sheets stay (and still count in the mean); their
    sheet is no longer required for selection."""
    if not permissions.can_manage_committees(actor):
        raise CommitteeError(_("You may not change the final-review committees."))
    seat.delete()


def missing_sheets(application):
    """The committee members of ``application``'s campaign who have not submitted a sheet on it."""
    scored = ScoreSheet.objects.filter(application=application).values("reviewer")
    return list(members_of(application.campaign_id).exclude(pk__in=scored))


def missing_sheets_by_application(applications, campaign):
    """``{application id: [members without a sheet]}`` for ``applications`` of ``campaign`` (two queries)."""
    members = list(members_of(campaign))
    scored = {}
    for application_id, reviewer_id in ScoreSheet.objects.filter(
        application__in=[a.pk for a in applications]
    ).values_list("application_id", "reviewer_id"):
        scored.setdefault(application_id, set()).add(reviewer_id)
    return {a.pk: [m for m in members if m.pk not in scored.get(a.pk, set())] for a in applications}
