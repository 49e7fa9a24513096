"""What the applicant may know of an application: the one applicant-facing status and history.

Every applicant page, notice and action goes through ``applicant_status``: before the campaign's
results are published (the publication step ran **and** the results date is reached) a decision of
staff (a round-1 or risk rejection, a pending or applied selection) reads exactly like the phase it
was taken in, so neither the words, the history, nor the actions offered or refused can reveal it.
Round 1's pass is the exception: the applicant must act on it (file, upload supplementary material).
"""

from django.utils.translation import gettext as _

from .enums import APPLICANT_STATUS, OUTCOME_STATES, ApplicantStatus, ApplicationStatus

S = ApplicationStatus
A = ApplicantStatus


def _changes(application):
    """The application's audit trail in the order it was written (no query when ``status_changes`` is
    prefetched). Rows are only ever added, so their ids give the order even if clocks disagree."""
    prefetched = getattr(application, "_prefetched_objects_cache", {}).get("status_changes")
    changes = prefetched if prefetched is not None else application.status_changes.all()
    return sorted(changes, key=lambda change: change.pk)


def shown_before_publication(status):
    """The applicant's word for ``status`` while outcomes are hidden, without history (an outcome's
    fallback: the phase it is normally decided in)."""
    return APPLICANT_STATUS[ApplicationStatus(status)][0]


def _trail(changes):
    """Each change with the applicant's word before and after it, while outcomes are hidden.

    A change into an outcome changes nothing the applicant sees: they keep reading the phase they
    knew. Any change out of it (a withdrawal, a late filing) starts from that phase.
    """
    if not changes:
        return []
    shown = shown_before_publication(changes[0].from_status)
    trail = []
    for change in changes:
        after = shown if change.to_status in OUTCOME_STATES else shown_before_publication(change.to_status)
        trail.append((change, shown, after))
        shown = after
    return trail


def applicant_status(application, now=None):
    """The ``ApplicantStatus`` of ``application`` at ``now``.

    Once the results are published an outcome shows as selected / not selected (every way of not
    being selected reads the same). Before that the applicant reads the last phase they were allowed
    to know, from the audit trail: a round-1 rejection of a submitted application reads "submitted",
    a risk rejection or a selection "filed, under review", a closure of an application that never
    filed "round 1 passed, filing to complete". One query for an outcome state, none otherwise (none
    either when ``status_changes`` is prefetched).
    """
    status = ApplicationStatus(application.status)
    before, after = APPLICANT_STATUS[status]
    if status not in OUTCOME_STATES:
        return before
    if application.campaign.results_are_published(now):
        return after
    trail = _trail(_changes(application))
    return trail[-1][2] if trail else before


def is_published_outcome(application, now=None):
    return application.status in OUTCOME_STATES and application.campaign.results_are_published(now)


def status_timeline(application, now=None):
    """The applicant's history: visible changes oldest first, then the published outcome, if any.

    A change is shown when the applicant's word changed (a risk pass, FILED → FILED, or any decision
    into an outcome is not a visible change); outcomes appear once published, as one neutral entry.
    Only the applicant's own reasons are shown; staff notes stay internal.
    """
    entries = []
    for change, shown_from, shown_to in _trail(_changes(application)):
        if shown_from == shown_to:
            continue
        own = change.actor_id is not None and change.actor_id == application.applicant_id
        entries.append({
            "at": change.created_at,
            "from_label": A(shown_from).label,
            "to_label": A(shown_to).label,
            "by": "you" if own else ("staff" if change.actor_id else ""),
            "reason": change.reason if own else "",
        })
    if is_published_outcome(application, now):
        campaign = application.campaign
        entries.append({
            "at": max(campaign.results_published_at, campaign.published_at),
            "from_label": _("Under review"),
            "to_label": A(applicant_status(application, now)).label,
            "by": "",
            "reason": "",
        })
    return entries
