"""Who may do what with the outbox (named predicates, as in ``reviews.permissions``)."""


def can_resend(user):
    """Send a permanently failed notification again: the roles that read the outbox (operations, the
    campaign admin, the superuser), who see why it failed."""
    return bool(user.is_active and user.is_staff and user.has_perm("notifications.view_notification"))
