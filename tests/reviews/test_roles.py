import pytest
from django.contrib.auth.models import Group

from reviews import roles
from reviews.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_roles_in_the_database_match_reviews_roles():
    in_db = {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.prefetch_related("permissions__content_type")
    }

    assert in_db == {name: sorted(perms) for name, perms in ROLE_PERMISSIONS.items()}


def test_ensure_roles_restores_a_deleted_role():
    Group.objects.filter(name=roles.OPERATIONS).delete()

    roles.ensure_roles()

    group = Group.objects.get(name=roles.OPERATIONS)
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()) == sorted(
        ROLE_PERMISSIONS[roles.OPERATIONS]
    )
