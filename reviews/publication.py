"""Decide, then publish (择优通过, 结果公示).

Staff with ``can_select`` record a pending decision on each round-3 application. Selecting one
(择优通过) needs a score sheet from every member of its campaign's committee (``reviews.committee``),
or an explicit override with a reason (``SelectionOverride``, shown on the ranking). The seat quota is
enforced on every selection under a lock on the campaign row, so two staff taking the last seat at
the same moment cannot both succeed. Decisions stay pending — applicants never see them — until
``publish_results`` applies them all at once on the results date: statuses, probation leaders, the
campaign's ``published_at`` and one notification per applicant, in a single transaction.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.alerting import CAMPAIGN_ADMIN_PERMISSION
from applications.enums import ApplicationStatus, PendingDecision
from applications.models import Application
from applications.services import ApplicationError, TransitionNotAllowed, status_counts, transition
from notifications import alerts
from notifications.models import AlertKind
from notifications.services import notify
from probation.models import Leader
from recruitment import timeutils
from recruitment.facts import campaign_facts
from recruitment.models import Campaign

from . import committee, permissions
from .models import SelectionOverride

S = ApplicationStatus

# Still to be resolved by staff before results can be published. An application that never files stays
# in FILING until the risk officer closes it out after the filing deadline (FILING_LAPSED: resolved).
UNRESOLVED_STATES = (S.SUBMITTED, S.FILING, S.RISK_REVIEW)
# Applicants told the outcome at publication: every submitted application that reached an outcome.
NOTIFIED_STATES = (S.SELECTED, S.NOT_SELECTED, S.ROUND1_REJECTED, S.RISK_REJECTED)


class SelectionError(ApplicationError):
    """A decision was refused; nothing was written."""


class QuotaExceeded(SelectionError):
    """Selecting would exceed the campaign's seats (名额)."""


class SheetsMissing(SelectionError):
    """Selecting needs every committee member's sheet, or an override with a reason."""


class SeatsBelowSelected(SelectionError):
    """The campaign's seats would drop below the applications already selected."""


class PublicationError(ApplicationError):
    """Publication was refused or failed; nothing was changed."""


def pending_selections(campaign):
    """Applications of ``campaign`` decided (or, after publication, published) as selected."""
    return Application.objects.filter(
        campaign=campaign,
        status__in=(S.FINAL_REVIEW, S.SELECTED),
        pending_decision=PendingDecision.SELECTED,
    )


def selected_applications(campaign):
    """Applications of ``campaign`` that hold a seat: decided as selected in round 3, or published as
    selected (whatever their pending decision says: the demo data, for one, publishes without one)."""
    return Application.objects.filter(campaign=campaign).filter(
        Q(status=S.FINAL_REVIEW, pending_decision=PendingDecision.SELECTED) | Q(status=S.SELECTED)
    )


def check_seats(campaign, seats):
    """Refuse (``SeatsBelowSelected``, naming the count) to give ``campaign`` fewer ``seats`` than the
    applications already selected; returns that count.

    Locks the campaign row, as ``record_decision`` does before counting: called inside the transaction
    that saves the new seats (the admin's change form), a concurrent selection waits for that
    transaction and then counts against the new number.
    """
    with transaction.atomic():
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        selected = selected_applications(campaign).count()
    if seats < selected:
        raise SeatsBelowSelected(
            ngettext(
                "%(selected)s application is already selected: the seats cannot be fewer than %(selected)s.",
                "%(selected)s applications are already selected: the seats cannot be fewer than %(selected)s.",
                selected,
            )
            % {"selected": selected}
        )
    return selected


def seats_left(campaign):
    return campaign.seats - pending_selections(campaign).count()


def record_decision(application, *, actor, decision, now=None, override_reason=""):
    """Record (or clear, with ``PendingDecision.NONE``) the pending decision on a round-3 application.

    The campaign row is locked first (``SELECT … FOR UPDATE``), then the selections are counted and
    the decision written in the same transaction: a concurrent selection waits for the lock and then
    counts this one. Raises ``QuotaExceeded`` when no seat is left, ``SelectionError`` when the actor
    may not select, the application is not in final review or the results are already published.

    A selection needs a sheet from every member of the campaign's committee (a campaign without a
    committee has nobody whose sheets could count). Short of that it raises ``SheetsMissing`` naming
    the members, unless ``override_reason`` is given: then the selection is recorded with a
    ``SelectionOverride`` (the reason, the actor, the missing members). Any other decision removes the
    override; a selection with every sheet needs none and stores none.
    """
    decision = PendingDecision(decision)
    if not permissions.can_select(actor):
        raise SelectionError(_("You may not record selection decisions."))
    now = now or timezone.now()
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=application.campaign_id)
        if campaign.published_at is not None:
            raise SelectionError(_("The results are already published: decisions can no longer change."))
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != S.FINAL_REVIEW:
            raise SelectionError(
                _("Only an application in final review can be decided; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        if decision == PendingDecision.SELECTED and locked.pending_decision != PendingDecision.SELECTED:
            taken = pending_selections(campaign).count()
            if taken >= campaign.seats:
                raise QuotaExceeded(
                    _("All %(seats)s seats are taken: clear another selection first.") % {"seats": campaign.seats}
                )
        _record_override(locked, campaign, actor=actor, decision=decision, reason=override_reason, now=now)
        locked.pending_decision = decision
        locked.decided_by = actor if decision else None
        locked.decided_at = now if decision else None
        locked.save(update_fields=["pending_decision", "decided_by", "decided_at", "updated_at"])
    application.refresh_from_db()
    return application


def _record_override(application, campaign, *, actor, decision, reason, now):
    """Check the committee's sheets for a selection and keep or drop its ``SelectionOverride``."""
    if decision != PendingDecision.SELECTED:
        SelectionOverride.objects.filter(application=application).delete()
        return
    has_committee = committee.members_of(campaign).exists()
    missing = committee.missing_sheets(application)
    if has_committee and not missing:
        SelectionOverride.objects.filter(application=application).delete()
        return
    if not reason:
        if not has_committee:
            raise SheetsMissing(
                _("This campaign has no final-review committee yet: assign its judges, or give a reason to "
                  "select without their score sheets.")
            )
        raise SheetsMissing(
            _("Selection needs every committee member's score sheet; still missing: %(members)s. Wait for "
              "their sheets, or give a reason to select without them.")
            % {"members": "、".join(m.get_username() for m in missing)}
        )
    SelectionOverride.objects.update_or_create(
        application=application,
        defaults={
            "reason": reason,
            "missing_members": [m.get_username() for m in missing],
            "decided_by": actor,
            "decided_at": now,
        },
    )


def unresolved_applications(campaign):
    """Applications that block publication: still in rounds 1–2, or in round 3 without a decision."""
    return Application.objects.filter(campaign=campaign).filter(
        Q(status__in=UNRESOLVED_STATES) | Q(status=S.FINAL_REVIEW, pending_decision=PendingDecision.NONE)
    )


def publication_blockers(campaign, now=None):
    """Why ``campaign`` cannot be published at ``now``, as messages (empty: it can)."""
    now = timeutils.to_second(now or timezone.now())
    if campaign.published_at is not None:
        when = date_format(timeutils.local(campaign.published_at), "Y-m-d H:i:s")
        return [_("The results were already published at %(at)s.") % {"at": when}]
    blockers = []
    if now < campaign.results_published_at:
        when = date_format(timeutils.local(campaign.results_published_at), "Y-m-d H:i:s")
        blockers.append(_("Results cannot be published before %(at)s (Beijing time).") % {"at": when})
    unresolved = list(unresolved_applications(campaign).order_by("submitted_at", "pk"))
    if unresolved:
        blockers.append(
            _("Resolve these applications first (still under review or without a decision): %(names)s.")
            % {"names": "、".join(_("%(name)s (%(status)s)") % {"name": a, "status": a.get_status_display()}
                                 for a in unresolved)}
        )
    selected = pending_selections(campaign).count()
    if selected > campaign.seats:
        blockers.append(
            _("%(selected)s applications are selected but the campaign has %(seats)s seats.")
            % {"selected": selected, "seats": campaign.seats}
        )
    return blockers


def publish_results(campaign, *, actor, now=None):
    """Apply every pending decision of ``campaign`` and tell each applicant the outcome (结果公示).

    All or nothing, under a lock on the campaign row: each round-3 application moves to SELECTED or
    NOT_SELECTED through ``transition``; each selected one becomes a probation ``Leader`` (found again,
    not duplicated, on a retry); an application closed out for not filing (未按时备案) is not selected;
    ``campaign.published_at`` is set; every applicant with an outcome is notified once (event
    ``published:<application id>``). Refused with ``PublicationError`` before the results date, when
    already published, while an application is unresolved, or over the seats.
    """
    if not permissions.can_publish(actor):
        raise PublicationError(_("You may not publish the results."))
    now = timeutils.to_second(now or timezone.now())
    try:
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
            blockers = publication_blockers(locked, now)
            if blockers:
                raise PublicationError(" ".join(blockers))
            finalists = list(
                Application.objects.filter(campaign=locked, status=S.FINAL_REVIEW).order_by("pk")
            )
            for application in finalists:
                selected = application.pending_decision == PendingDecision.SELECTED
                transition(
                    application,
                    S.SELECTED if selected else S.NOT_SELECTED,
                    actor=actor,
                    reason=_("Results published"),
                )
                if selected:
                    _grant_leader(locked, application, now)
            for application in Application.objects.filter(campaign=locked, status=S.FILING_LAPSED).order_by("pk"):
                try:
                    transition(application, S.NOT_SELECTED, actor=actor, reason=_("Results published"))
                except TransitionNotAllowed as exc:  # its filing was reopened meanwhile (reviews.filing)
                    raise PublicationError(
                        _("%(name)s is waiting for its filing again: nothing was published.") % {"name": application}
                    ) from exc
            locked.published_at = now
            locked.save(update_fields=["published_at", "updated_at"])
            _notify_outcomes(locked)
            _alert_published(locked, actor=actor, now=now)
    except IntegrityError as exc:
        raise PublicationError(_("Publication failed and nothing was changed: %(error)s") % {"error": exc}) from exc
    campaign.refresh_from_db()
    return campaign


def _alert_published(campaign, *, actor, now):
    """One DingTalk alert to the campaign's group with the outcome counts, @-mentioning the campaign admins."""
    counts = status_counts(campaign)
    with alerts.site_language():
        alerts.raise_alert(
            kind=AlertKind.RESULTS_PUBLISHED, key=f"results_published:{campaign.pk}", campaign=campaign,
            title=_("Results published: %(campaign)s") % {"campaign": campaign},
            text=_("%(user)s published the results of %(campaign)s at %(at)s (Beijing time): %(selected)d selected, "
                   "%(not_selected)d not selected, %(rejected)d rejected in rounds 1–2. Every applicant has been "
                   "notified.") % {
                "user": actor.get_username(), "campaign": campaign, "at": timeutils.instant_text(now),
                "selected": counts.get(S.SELECTED, 0), "not_selected": counts.get(S.NOT_SELECTED, 0),
                "rejected": counts.get(S.ROUND1_REJECTED, 0) + counts.get(S.RISK_REJECTED, 0)},
            mention=alerts.staff_with_permission(CAMPAIGN_ADMIN_PERMISSION),
        )


def _grant_leader(campaign, application, now):
    """The probation leader of a selected application; a retry finds the one already created."""
    leader, created = Leader.objects.get_or_create(
        campaign=campaign,
        leader_account=application.alliance_account,
        defaults={
            "company_name": application.company_name,
            "credit_code": application.credit_code,
            "granted_at": now,
            "application": application,
        },
    )
    if created or leader.application_id == application.pk:
        return leader
    if leader.application_id is None:
        leader.application = application
        leader.save(update_fields=["application"])
        return leader
    raise PublicationError(
        _("The alliance account %(account)s is already a leader of another application in this campaign.")
        % {"account": application.alliance_account}
    )


def _notify_outcomes(campaign):
    """One message per applicant with an outcome; neutral wording for every way of not being selected. The
    selected are told the probation's checks with this campaign's months and thresholds (``recruitment.facts``)."""
    facts = campaign_facts(campaign)
    for application in (
        Application.objects.filter(campaign=campaign, status__in=NOTIFIED_STATES)
        .select_related("applicant")
        .order_by("pk")
    ):
        selected = application.status == S.SELECTED
        notify(
            event=f"published:{application.pk}",
            recipient=application.applicant,
            template="publication_selected" if selected else "publication_not_selected",
            context={"campaign": campaign, "facts": facts},
            application=application,
        )
