"""Who may do what with probation: named predicates used by the admin, its custom views and templates.

Each asks a model permission that a staff role grants (``reviews.roles``); superusers pass every check.
The operations role needs ``view_leader``, ``view_checkresult``, ``view_violation``, ``add_violation``
and ``add_dataimport``; the campaign admin in addition ``add_checkresult`` (decide: the data mark, decisions,
rechecks, violation closures and withdrawals).
"""

VIEW_PERMISSION = "probation.view_leader"
IMPORT_PERMISSION = "probation.add_dataimport"
VIOLATION_PERMISSION = "probation.add_violation"
REEVALUATE_PERMISSION = "probation.add_checkresult"


def _staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_view_probation(user):
    """The board, leaders with their check history, the report export."""
    return _staff(user) and user.has_perm(VIEW_PERMISSION)


def can_import_probation_data(user):
    """Upload the alliance exports (导入考核数据): all or nothing, the same validation as ``import_data``."""
    return _staff(user) and user.has_perm(IMPORT_PERMISSION)


def can_record_violation(user):
    """Record a violation: it closes the permission and voids the reward."""
    return _staff(user) and user.has_perm(VIOLATION_PERMISSION)


def can_decide(user):
    """The campaign admin's decisions: move the data mark, decide due checks from the preview, recheck and
    reinstate, close a permission for a violation, withdraw a violation. Operations prepare them (import,
    preview) but do not take them."""
    return _staff(user) and user.has_perm(REEVALUATE_PERMISSION)


def can_preview(user):
    """See what a decision or a recheck would do (writes nothing): whoever sees the board."""
    return can_view_probation(user)


can_reevaluate = can_decide
