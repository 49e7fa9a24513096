"""Verified mobile numbers: sign-up by SMS code, verifying an existing account's number, changing it, and
the password reset by SMS code (忘记密码). Each flow asks for a code (``codes.issue_code``) and then spends
it (``codes.use_code``); the views keep what is pending between the two steps in the session.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.enums import AuditAction
from audit.services import record

from . import codes, services
from .enums import CodePurpose
from .permissions import is_applicant_account

# --- Sign-up -----------------------------------------------------------------------------------------


def pending_signup(*, identifier, password, recovery_email=""):
    """What a mobile sign-up keeps (in the session) until its code is entered: never the password in
    clear, only its hash (``make_password``), as the account will store it."""
    return {
        "mobile": identifier.value, "password_hash": make_password(password),
        "email": services.normalize_email(recovery_email),
    }


def send_signup_code(mobile, *, ip, now=None):
    """A sign-up code to ``mobile``. Raises ``services.IdentifierTaken`` if an account has the number (one
    created since the form was filled), ``codes.CodeRateLimited`` over a limit."""
    if services.mobile_is_taken(mobile):
        raise services.IdentifierTaken("identifier")
    return codes.issue_code(purpose=CodePurpose.SIGNUP, mobile=mobile, ip=ip, now=now)


def complete_signup(pending, *, code, now=None):
    """Spend the sign-up code and create the account, its number verified now. Raises ``codes.CodeInvalid``
    or ``services.IdentifierTaken`` (the number or recovery e-mail was taken meanwhile)."""
    now = now or timezone.now()
    mobile = pending["mobile"]
    codes.use_code(purpose=CodePurpose.SIGNUP, mobile=mobile, code=code, now=now)
    return services.create_applicant_account(
        identifier=services.Identifier(services.MOBILE, mobile), password_hash=pending["password_hash"],
        recovery_email=pending.get("email", ""), mobile_verified_at=now,
    )


# --- Verifying an existing account's number ------------------------------------------------------------


def send_verification_code(user, *, ip, now=None):
    """A code to the account's own mobile, to prove it holds it (accounts made before verification)."""
    return codes.issue_code(purpose=CodePurpose.VERIFY_MOBILE, mobile=user.mobile, ip=ip, user=user, now=now)


def verify_mobile(user, *, code, now=None):
    """Spend the code and mark the account's number verified. Raises ``codes.CodeInvalid``."""
    now = now or timezone.now()
    codes.use_code(purpose=CodePurpose.VERIFY_MOBILE, mobile=user.mobile, code=code, user=user, now=now)
    user.mobile_verified_at = now
    user.save(update_fields=["mobile_verified_at"])
    return user


# --- Changing the number (更换手机号) -------------------------------------------------------------------


def send_change_code(user, *, new_mobile, ip, now=None):
    """A code to the NEW number, for ``user`` to move to it. Raises ``services.IdentifierTaken`` when an
    account (this one included) already uses the number, ``codes.CodeRateLimited`` over a limit."""
    if services.mobile_is_taken(new_mobile):
        raise services.IdentifierTaken("mobile")
    return codes.issue_code(purpose=CodePurpose.CHANGE_MOBILE, mobile=new_mobile, ip=ip, user=user, now=now)


def change_mobile(user, *, new_mobile, code, now=None):
    """Spend the code sent to ``new_mobile`` and move the account to it, verified now; the login name moves
    too when it was the old number. Writes an audit row (the numbers masked, never the code). Raises
    ``codes.CodeInvalid``, or ``services.IdentifierTaken`` when another account took the number meanwhile.
    """
    now = now or timezone.now()
    codes.use_code(purpose=CodePurpose.CHANGE_MOBILE, mobile=new_mobile, code=code, user=user, now=now)
    old_mobile = user.mobile
    fields = {"mobile": new_mobile, "mobile_verified_at": now}
    if old_mobile and user.username == old_mobile:
        fields["username"] = new_mobile
    User = get_user_model()
    try:
        with transaction.atomic():
            if services.mobile_is_taken(new_mobile, other_than=user):
                raise services.IdentifierTaken("mobile")
            User._default_manager.filter(pk=user.pk).update(**fields)
            record(
                AuditAction.MOBILE_CHANGED, actor=user, obj=user,
                old=codes.mask_mobile(old_mobile) if old_mobile else "", new=codes.mask_mobile(new_mobile),
            )
    except IntegrityError:
        raise services.IdentifierTaken("mobile") from None
    for name, value in fields.items():
        setattr(user, name, value)
    return user


# --- 忘记密码 by SMS ---------------------------------------------------------------------------------------


def reset_account(mobile):
    """The account a reset code for ``mobile`` may be sent to: an active applicant account, else ``None``."""
    user = get_user_model()._default_manager.filter(mobile=mobile, is_active=True).first()
    return user if user is not None and is_applicant_account(user) else None


def send_reset_code(mobile, *, ip, now=None):
    """忘记密码: a password-reset code to ``mobile`` if an active applicant account has it. The request is
    recorded and limited the same way whether or not one does (nothing is sent then), so neither the
    answer nor the limits tell whether a number is registered. Raises ``codes.CodeRateLimited``."""
    user = reset_account(mobile)
    return codes.issue_code(
        purpose=CodePurpose.PASSWORD_RESET, mobile=mobile, ip=ip, user=user, send=user is not None, now=now
    )


def reset_password(mobile, *, code, password, now=None):
    """Spend the reset code and set ``password`` on the account of ``mobile``. Changing the password hash
    ends the account's other sessions (Django checks the session's password hash). Raises
    ``codes.CodeInvalid`` for a wrong, expired or used code and for a number with no account alike."""
    used = codes.use_code(purpose=CodePurpose.PASSWORD_RESET, mobile=mobile, code=code, now=now)
    user = reset_account(mobile)
    if user is None or used.user_id != user.pk:
        raise codes.CodeInvalid()
    user.set_password(password)
    # The holder of the number proved it: the number counts as verified from now on.
    user.mobile_verified_at = user.mobile_verified_at or now or timezone.now()
    user.save(update_fields=["password", "mobile_verified_at"])
    return user
