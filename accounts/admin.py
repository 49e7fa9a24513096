from axes import admin as axes_admin  # noqa: F401  (registers the login-attempt admins, adopted below)
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin, adopt

from .models import User


@admin.register(User)
class UserAdmin(PredicatePermissionsMixin, DjangoUserAdmin):
    """Django's user admin with the mobile number an applicant may have signed up with."""

    view_predicate = manage_predicate = MODEL_PERMISSIONS
    list_display = ("username", "mobile", "email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "mobile", "email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Contact"), {"fields": ("mobile", "email", "first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "mobile", "email", "usable_password", "password1", "password2"),
            },
        ),
    )


# Django's group admin and django-axes' login-attempt admins go through the same mixin (query-string
# rules, seconds kept) with their permissions unchanged. ``axes`` comes after this app in INSTALLED_APPS:
# its admin module is imported above so that its registrations exist to be adopted.
for _model in (Group, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        adopt(_model)
