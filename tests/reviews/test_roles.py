import pytest
from django.contrib.auth.models import Group

from reviews.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_roles_in_the_database_match_reviews_roles():
    in_db = {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.prefetch_related("permissions__content_type")
    }

    assert in_db == {name: sorted(perms) for name, perms in ROLE_PERMISSIONS.items()}
