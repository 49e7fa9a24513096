"""Who may do what with accounts: named predicates used by the admin (and anything else that asks).

Staff never see or set an applicant's password. Operations, who talk to applicants on the phone (they
hold the phone tasks' ``reviews.change_phonetask``), may send an applicant a one-time reset link, and
see the applicant accounts for that purpose; Django's own user permissions (the superuser) keep the
full user admin. The permission is named as a string: this app sits below ``reviews`` and imports
nothing of it.
"""

RESET_PASSWORDS_PERMISSION = "reviews.change_phonetask"


def _staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_applicant_account(account):
    """An account an applicant signed up with: neither staff nor superuser."""
    return not (account.is_staff or account.is_superuser)


def can_reset_passwords(user):
    """重置密码: send applicants a one-time link (operations; superusers pass every check)."""
    return _staff(user) and user.has_perm(RESET_PASSWORDS_PERMISSION)


def can_reset_password_of(user, account):
    """``user`` may send ``account`` a reset link: an active applicant account, never a staff one."""
    return can_reset_passwords(user) and is_applicant_account(account) and account.is_active


def can_manage_accounts(user):
    """Django's user admin in full (every account, groups, permissions): its own model permissions."""
    return _staff(user) and (user.has_perm("accounts.view_user") or user.has_perm("accounts.change_user"))


def can_view_accounts(user):
    """The account list: in full for ``can_manage_accounts``; applicant accounts only for operations."""
    return can_manage_accounts(user) or can_reset_passwords(user)


def must_verify_mobile(account):
    """An applicant account with a mobile number nobody proved with an SMS code (accounts made before codes
    existed): asked to verify at login, and refused submission until it does. Staff are never asked."""
    return bool(
        account is not None and account.is_authenticated and is_applicant_account(account)
        and account.mobile and account.mobile_verified_at is None
    )
