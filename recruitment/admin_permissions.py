"""Admin permissions from named predicates (``reviews.permissions``, ``probation.permissions`` …) rather than
from model permissions: one mixin for every admin page a role sees or does not see as a whole."""


class PredicatePermissionsMixin:
    """``view_predicate`` decides who sees the page (and its module in the index); ``manage_predicate`` who
    may add, change and delete — ``None`` means nobody: the page is read-only, decisions go through actions.
    Both are plain functions ``predicate(user) -> bool``.
    """

    view_predicate = None
    manage_predicate = None

    def _allows(self, request, name):
        predicate = getattr(type(self), name)  # the plain function, not bound to the admin
        return bool(predicate and predicate(request.user))

    def has_module_permission(self, request):
        return self._allows(request, "view_predicate")

    def has_view_permission(self, request, obj=None):
        return self._allows(request, "view_predicate")

    def has_add_permission(self, request, obj=None):
        return self._allows(request, "manage_predicate")

    def has_change_permission(self, request, obj=None):
        return self._allows(request, "manage_predicate")

    def has_delete_permission(self, request, obj=None):
        return self._allows(request, "manage_predicate")
