"""Who may read the audit log: the campaign admin (who holds ``publish_results``) and superusers.

The roles of ``reviews.roles`` are not extended with a permission of this app; the campaign admin is
recognised by the permission that only that role holds, and ``audit.view_auditevent`` can be given
to anyone else by hand.
"""


def _staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_view_audit(user):
    return _staff(user) and (user.has_perm("audit.view_auditevent") or user.has_perm("recruitment.publish_results"))
