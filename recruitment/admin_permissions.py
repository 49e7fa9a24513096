"""Admin permissions from named predicates (``reviews.permissions``, ``probation.permissions`` …) rather than
from model permissions, and what a role may ask of a change list: one mixin that every ModelAdmin of the
project goes through (``tests/security/test_admin_lookups.py`` fails for an admin that does not).

The change list answers only what the page shows to that role. Django's admin, left alone, filters on any
local field or annotation named in the query string (``?score_total__gte=80``), searches every declared
search field and sorts by any column index (``?o=``) whatever ``sortable_by`` says; a role that sees a
number masked, or a column not at all, could read it back one request at a time. Here:

- a query-string lookup is allowed only when it is a parameter of one of the filters the page shows to
  that role (``get_list_filter(request)``, ``date_hierarchy``), or the exact ``limit_choices_to`` pair of a
  raw-id popup; anything else is a 400 (``DisallowedModelAdminLookup``, as Django answers for lookups
  it refuses), and so is a NUL byte in a lookup value (PostgreSQL would fail on it: a 500). A NUL in
  ``?q=`` never reaches the query: Django's search form refuses it with a message;
- fields declared masked (``mask_field``) are neither searched, filtered nor sorted on for a user the
  declaration's predicate does not allow;
- ``?o=`` sorts only by the columns ``get_sortable_by(request)`` returns: the columns the role sees;
- every DateTimeField is edited with seconds (``recruitment.admin_widgets``).
"""

from django.contrib.admin import SimpleListFilter
from django.contrib.admin.filters import FieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, OrderBy
from django.db.models.constants import LOOKUP_SEP

from .admin_widgets import keep_seconds, translate_permission_choices


class _ModelPermissions:
    def __repr__(self):
        return "MODEL_PERMISSIONS"


#: As a predicate: Django's model permissions decide (the view/add/change/delete permissions a role's
#: group holds). For reference data edited by role (campaigns, checklists, rules, the rubric) and for
#: Django's own admins (users, groups, login attempts).
MODEL_PERMISSIONS = _ModelPermissions()

# (model label, field name) -> predicate(user): who sees the field in full. Filled by ``mask_field``.
_MASKED = {}


def mask_field(model, field_name, *, unmasked_for):
    """Declare that ``model.field_name`` is shown masked to every user ``unmasked_for(user)`` refuses: for
    them no admin searches, filters or sorts by it, through whatever relation path it is reached.

    Declared by the app whose admin masks it (e.g. ``applications.admin`` for the mobile number); this
    module stays below the apps and asks nothing of them.
    """
    _MASKED[(model._meta.concrete_model._meta.label_lower, field_name)] = unmasked_for


def field_at(model, path):
    """The model field a lookup path ends on: ``application__mobile__startswith`` → ``Application.mobile``;
    ``None`` when the path names no field (an annotation, a method)."""
    field = None
    for part in path.split(LOOKUP_SEP):
        if part == "pk":
            part = model._meta.pk.name
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if not getattr(field, "path_infos", None):
            break  # a plain field: what follows are lookups and transforms
        model = field.path_infos[-1].to_opts.model
    return field


def is_masked_for(user, model, path):
    """Whether the field ``path`` reaches from ``model`` is masked for ``user``."""
    field = field_at(model, path) if path else None
    if field is None or getattr(field, "concrete", False) is False:
        return False
    predicate = _MASKED.get((field.model._meta.concrete_model._meta.label_lower, field.name))
    return predicate is not None and not predicate(user)


class PolicyChangeList(ChangeList):
    """Django's change list, sorting only by the columns ``get_sortable_by(request)`` allows.

    Django applies ``?o=<index>`` to any column with an ordering; ``sortable_by`` only hides the header
    link. Here a column outside it is not sortable at all (the index is ignored, as an invalid one is).
    """

    def get_queryset(self, request, exclude_parameters=None):
        # Asked again here: django-import-export builds this class with the admin's plain attribute.
        self.sortable_by = self.model_admin.get_sortable_by(request)
        return super().get_queryset(request, exclude_parameters)

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def get_ordering_field_columns(self):
        """The columns the list is sorted by (the header arrows): Django lists every index of ``?o=``."""
        columns = super().get_ordering_field_columns()
        return {i: order for i, order in columns.items()
                if i < len(self.list_display) and self.get_ordering_field(self.list_display[i])}


class PredicatePermissionsMixin:
    """``view_predicate`` decides who sees the page (and its module in the index); ``manage_predicate`` who
    may add, change and delete — ``None`` means nobody: the page is read-only, decisions go through actions.
    Both are plain functions ``predicate(user) -> bool``, or ``MODEL_PERMISSIONS``.

    Put it first among the bases (``class XAdmin(PredicatePermissionsMixin, admin.ModelAdmin)``). An admin
    may still override a ``has_*_permission`` method of its own; the change-list rules hold regardless.
    """

    view_predicate = None
    manage_predicate = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_seconds(self)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return translate_permission_choices(super().formfield_for_manytomany(db_field, request, **kwargs))

    # --- Permissions --------------------------------------------------------------------------------

    def _allows(self, request, name, model_permission):
        predicate = getattr(type(self), name)  # the plain function, not bound to the admin
        if predicate is MODEL_PERMISSIONS:
            return model_permission()
        return bool(predicate and predicate(request.user))

    def has_module_permission(self, request):
        return self._allows(request, "view_predicate", lambda: super(PredicatePermissionsMixin, self)
                            .has_module_permission(request))

    def has_view_permission(self, request, obj=None):
        return self._allows(request, "view_predicate", lambda: super(PredicatePermissionsMixin, self)
                            .has_view_permission(request, obj))

    def has_add_permission(self, request, *args, **kwargs):
        # ModelAdmin.has_add_permission(request), InlineModelAdmin.has_add_permission(request, obj).
        return self._allows(request, "manage_predicate", lambda: super(PredicatePermissionsMixin, self)
                            .has_add_permission(request, *args, **kwargs))

    def has_change_permission(self, request, obj=None):
        return self._allows(request, "manage_predicate", lambda: super(PredicatePermissionsMixin, self)
                            .has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._allows(request, "manage_predicate", lambda: super(PredicatePermissionsMixin, self)
                            .has_delete_permission(request, obj))

    # --- Inlines edit datetimes with seconds too ------------------------------------------------------

    def get_inline_instances(self, request, obj=None):
        return [keep_seconds(inline) for inline in super().get_inline_instances(request, obj)]

    # --- What a role may ask of the change list ------------------------------------------------------

    def _masked(self, request, path):
        return is_masked_for(request.user, self.model, path)

    def get_list_filter(self, request):
        """The filters shown to this role; a filter on a field it sees masked is never shown."""
        shown = []
        for item in super().get_list_filter(request):
            path = item[0] if isinstance(item, list | tuple) else item
            if isinstance(path, str) and self._masked(request, path):
                continue
            shown.append(item)
        return shown

    def get_search_fields(self, request):
        """The search fields, without those this role sees masked (``?q=`` would tell whose number it is)."""
        return [name for name in super().get_search_fields(request)
                if not self._masked(request, str(name).lstrip("^=@"))]

    def get_sortable_by(self, request):
        """The columns this role sees, less those sorted by a field it sees masked."""
        columns = list(self.get_list_display(request))
        declared = self.sortable_by if self.sortable_by is not None else columns
        return [c for c in declared if c in columns and not self._masked(request, self._ordering_path(c))]

    def get_changelist(self, request, **kwargs):
        return PolicyChangeList

    def _ordering_path(self, column):
        """The field path ``column`` sorts by, when there is one (``None`` for an expression or no ordering)."""
        if isinstance(column, str):
            try:
                return self.model._meta.get_field(column).name
            except FieldDoesNotExist:
                attr = getattr(self, column, None) or getattr(self.model, column, None)
        else:
            attr = column
        if isinstance(attr, property):
            attr = attr.fget
        order = getattr(attr, "admin_order_field", None)
        if isinstance(order, OrderBy):
            order = order.expression
        if isinstance(order, F):
            return order.name
        return order.lstrip("-") if isinstance(order, str) else None

    def lookup_allowed(self, lookup, value, request=None):
        """Only the parameters of the filters shown to this role (and a raw-id popup's exact pair)."""
        if "\x00" in str(value) or request is None:
            return False
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
                return True
        return lookup in self._filter_parameters(request, lookup)

    def _filter_parameters(self, request, lookup):
        """The query-string parameters of the filters shown to this role that could match ``lookup``.

        A field filter is instantiated (to ask its ``expected_parameters()``) only when ``lookup`` starts
        with its field path: an unfiltered page costs nothing, a filtered one the filter's own choices.
        """
        parameters = set()
        if self.date_hierarchy:
            parameters.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                parameters.add(item.parameter_name)
            elif callable(item):  # another ListFilter class
                parameters.update(item(request, {}, self.model, self).expected_parameters())
            else:
                path, filter_class = item if isinstance(item, list | tuple) else (item, FieldListFilter.create)
                if lookup != path and not lookup.startswith(path + LOOKUP_SEP):
                    continue
                field = get_fields_from_path(self.model, path)[-1]
                spec = filter_class(field, request, {}, self.model, self, field_path=path)
                parameters.update(spec.expected_parameters())
        return parameters


def adopt(model, *, site=None):
    """Register ``model``'s admin again — one that Django or a library registered — with the mixin in front,
    permissions still Django's model permissions: its change list then follows the same rules."""
    from django.contrib import admin

    site = site or admin.site
    admin_class = type(site.get_model_admin(model))
    if issubclass(admin_class, PredicatePermissionsMixin):
        return
    site.unregister(model)
    adopted = type(admin_class.__name__, (PredicatePermissionsMixin, admin_class), {
        "__module__": __name__,
        "view_predicate": MODEL_PERMISSIONS,
        "manage_predicate": MODEL_PERMISSIONS,
    })
    site.register(model, adopted)
