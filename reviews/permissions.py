"""Who may do what in the review pipeline: named predicates, reused by the admin, views and templates.

Each asks a permission that a role (``reviews.roles``) grants; superusers pass every check.
"""

from .models import CommitteeMember, ScoreSheet


def _staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_view_applications(user):
    return _staff(user) and user.has_perm("applications.view_application")


def can_review_round1(user):
    return _staff(user) and user.has_perm("reviews.add_round1review")


def can_manage_phone_tasks(user):
    return _staff(user) and user.has_perm("reviews.change_phonetask")


def can_view_phone_tasks(user):
    return _staff(user) and user.has_perm("reviews.view_phonetask")


def can_view_risk(user):
    return _staff(user) and user.has_perm("reviews.view_riskassessment")


def can_view_filings(user):
    """The applicants' system filings (系统备案): the risk officer and the campaign admin."""
    return _staff(user) and user.has_perm("reviews.view_filing")


def can_rerun_risk(user):
    return _staff(user) and user.has_perm("reviews.add_riskassessment")


def can_close_out_non_filers(user):
    """After the filing deadline, close out applications never filed (未按时备案): the risk officer."""
    return _staff(user) and user.has_perm("applications.close_out_non_filers")


def can_reopen_filing(user):
    """Reopen the filing of an application closed out for not filing, until publication: the campaign admin."""
    return _staff(user) and user.has_perm("applications.reopen_filing")


def can_manage_sanctions(user):
    return _staff(user) and user.has_perm("reviews.change_sanctionrecord")


def can_score(user):
    return _staff(user) and user.has_perm("reviews.add_scoresheet")


def sits_on_committee(user, campaign):
    """Whether ``user`` is on the final-review committee of ``campaign`` (a row or an id)."""
    if not (user and user.is_authenticated):
        return False
    campaign_id = getattr(campaign, "pk", campaign)
    return CommitteeMember.objects.filter(campaign_id=campaign_id, member=user).exists()


def can_score_in(user, campaign):
    """A judge scores only the campaigns whose committee they sit on (superusers included)."""
    return can_score(user) and sits_on_committee(user, campaign)


def can_open_score_page(user, application):
    """The score page of a round-3 application: the campaign's committee members, and whoever sees every
    score (the campaign admin). A judge of another campaign's committee is refused."""
    return can_view_all_scores(user) or can_score_in(user, application.campaign_id)


def can_manage_committees(user):
    """Assign judges to the campaigns' committees: the campaign admin."""
    return (
        _staff(user)
        and user.has_perm("reviews.add_committeemember")
        and user.has_perm("reviews.delete_committeemember")
    )


def can_view_all_scores(user):
    return _staff(user) and user.has_perm("reviews.view_scoresheet")


def can_see_scores_of(user, application):
    """Reviewers see the others' scores of an application only after submitting their own."""
    if can_view_all_scores(user):
        return True
    return can_score(user) and ScoreSheet.objects.filter(application=application, reviewer=user).exists()


def can_select(user):
    return _staff(user) and user.has_perm("recruitment.select_applications")


def can_publish(user):
    return _staff(user) and user.has_perm("recruitment.publish_results")


def can_view_final_queue(user):
    """The round-3 queue: members score from it, the selecting staff decide from it."""
    return can_score(user) or can_view_ranking(user)


def can_view_ranking(user):
    return can_select(user) or can_view_all_scores(user)


def can_see_full_id_number(user):
    """The legal representative's full ID number (filing): the risk officer, who checks it (re-runs the
    assessment), and the campaign admin (who publishes); every other role sees it masked."""
    return _staff(user) and (
        user.has_perm("reviews.add_riskassessment") or user.has_perm("recruitment.publish_results")
    )
