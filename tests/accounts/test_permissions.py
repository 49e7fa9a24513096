"""Who may reset an applicant's password (accounts.permissions): operations only, applicant accounts only."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions
from tests.factories import UserFactory
from tests.security.conftest import ROLES, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    """``staff[short]``: a staff user per role (as the security tests name them), created on first use."""

    class Staff(dict):
        def __missing__(self, short):
            self[short] = make_staff(short)
            return self[short]

    return Staff()

# (can_reset_passwords, can_view_accounts, can_manage_accounts) per role
EXPECTED = {
    "reviewer": (False, False, False),
    "risk": (False, False, False),
    "committee": (False, False, False),
    "ops": (True, True, False),
    "admin": (False, False, False),
    "none": (False, False, False),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_predicates_per_role(staff, role):
    user = staff[role]

    got = (permissions.can_reset_passwords(user), permissions.can_view_accounts(user),
           permissions.can_manage_accounts(user))

    assert got == EXPECTED[role]


def test_predicates_for_superuser_anonymous_and_an_applicant(admin_user):
    applicant = UserFactory()

    assert [
        (permissions.can_reset_passwords(u), permissions.can_view_accounts(u), permissions.can_manage_accounts(u))
        for u in (admin_user, AnonymousUser(), applicant)
    ] == [(True, True, True), (False, False, False), (False, False, False)]


def test_operations_that_lost_staff_status_reset_nothing(staff):
    ops = staff["ops"]
    ops.is_staff = False

    assert permissions.can_reset_passwords(ops) is False


@pytest.mark.parametrize(
    ("account", "allowed"),
    [
        ({}, True),
        ({"is_active": False}, False),
        ({"is_staff": True}, False),
        ({"is_superuser": True}, False),
    ],
)
def test_only_an_active_applicant_account_can_be_reset(staff, account, allowed):
    target = UserFactory(**account)

    assert (permissions.can_reset_password_of(staff["ops"], target),
            permissions.can_reset_password_of(staff["reviewer"], target)) == (allowed, False)


@pytest.mark.parametrize(
    ("account_kwargs", "must_verify"),
    [
        ({"mobile": "13800138000", "mobile_verified_at": None}, True),
        ({"mobile": "13800138000"}, False),  # the factory's accounts proved their number
        ({"mobile": "", "mobile_verified_at": None}, False),
        ({"mobile": "13800138000", "mobile_verified_at": None, "is_staff": True}, False),
        ({"mobile": "13800138000", "mobile_verified_at": None, "is_superuser": True}, False),
    ],
)
def test_only_applicants_with_an_unproved_mobile_must_verify_it(account_kwargs, must_verify):
    account = UserFactory(**account_kwargs)

    assert permissions.must_verify_mobile(account) is must_verify


def test_an_anonymous_visitor_is_never_asked_to_verify():
    assert permissions.must_verify_mobile(AnonymousUser()) is False
