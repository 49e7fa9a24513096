"""Applicant accounts: an applicant signs up with a mainland mobile number or an e-mail address.

The identifier the person typed becomes ``username`` (normalised: a mobile as 11 digits, an e-mail in
lower case) and is also stored in ``mobile`` or ``email`` so that the login backend and Django's
password-reset form find the account. An identifier is unique across the username, e-mail and mobile
of every user, so that a login attempt never matches two accounts.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from audit.enums import AuditAction
from audit.services import record
from notifications.models import Channel
from notifications.services import notify
from recruitment.validators import normalize_mobile, validate_mobile

from . import codes
from .enums import CodePurpose
from .permissions import can_reset_password_of, can_reset_passwords

MOBILE = "mobile"
EMAIL = "email"


class IdentifierTaken(Exception):
    """An account already uses this mobile number or e-mail address (raised on a lost race too)."""

    def __init__(self, field="identifier"):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Identifier:
    """A normalised sign-up identifier: ``kind`` is ``"mobile"`` or ``"email"``."""

    kind: str
    value: str


def parse_identifier(raw):
    """Tell a mobile number from an e-mail address and normalise it; raise ``ValidationError`` otherwise."""
    raw = (raw or "").strip()
    if "@" in raw:
        try:
            validate_email(raw)
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), code="invalid_email") from None
        return Identifier(EMAIL, normalize_email(raw))
    try:
        validate_mobile(raw)
    except ValidationError:
        raise ValidationError(
            _("Enter a mainland China mobile number (11 digits starting with 1) or an e-mail address."),
            code="invalid_identifier",
        ) from None
    return Identifier(MOBILE, normalize_mobile(raw))


def normalize_email(value):
    """E-mail addresses are compared case-insensitively everywhere; we store them in lower case."""
    return (value or "").strip().lower()


def email_is_taken(email):
    User = get_user_model()
    return User._default_manager.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()


def mobile_is_taken(mobile, *, other_than=None):
    """Whether an account (other than ``other_than``, if given) has ``mobile`` as its login name or number."""
    User = get_user_model()
    accounts = User._default_manager.filter(Q(username=mobile) | Q(mobile=mobile))
    if other_than is not None:
        accounts = accounts.exclude(pk=other_than.pk)
    return accounts.exists()


def identifier_is_taken(identifier):
    if identifier.kind == MOBILE:
        return mobile_is_taken(identifier.value)
    return email_is_taken(identifier.value)


def create_applicant_account(*, identifier, password=None, password_hash=None, recovery_email="",
                             mobile_verified_at=None):
    """Create an applicant's account and return it (not logged in: the caller decides).

    ``identifier`` is an :class:`Identifier`. For a mobile sign-up ``recovery_email`` is stored as the
    account's e-mail so that the password can be reset by e-mail (the password can also be reset by an
    SMS code). For an e-mail sign-up the identifier itself is the recovery address and
    ``recovery_email`` is ignored. The password is given in clear (``password``) or already hashed
    (``password_hash``, what a pending mobile sign-up keeps until its SMS code is entered);
    ``mobile_verified_at`` is when the code proved the number.

    Raises :class:`IdentifierTaken` (``field`` = ``"identifier"`` or ``"email"``) when another account
    already uses the identifier or the recovery address, including when a concurrent sign-up won.
    """
    User = get_user_model()
    if identifier.kind == MOBILE:
        mobile, email = identifier.value, normalize_email(recovery_email)
    else:
        mobile, email = "", identifier.value
    if identifier_is_taken(identifier):
        raise IdentifierTaken("identifier")
    if identifier.kind == MOBILE and email and email_is_taken(email):
        raise IdentifierTaken("email")
    try:
        with transaction.atomic():
            user = User._default_manager.create_user(
                username=identifier.value, email=email, mobile=mobile, password=password,
                mobile_verified_at=mobile_verified_at if mobile else None,
            )
            if password_hash is not None:
                user.password = password_hash
                user.save(update_fields=["password"])
            return user
    except IntegrityError:
        # The unique username / mobile constraints caught a concurrent sign-up with the same identifier.
        raise IdentifierTaken("identifier") from None


class PasswordResetRefused(Exception):
    """A staff reset was refused (not allowed, a staff account, no address); ``message`` says why. Nothing
    was written."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def password_reset_channel(user):
    """How ``user``'s reset goes out: a link to the account's own e-mail, or for a mobile-only account a
    code to its mobile by SMS; ``None`` when it has neither."""
    if user.email:
        return Channel.EMAIL
    if user.mobile:
        return Channel.SMS
    return None


def send_password_reset(user, *, domain, use_https, requested_by=None):
    """The one way a password reset is sent (忘记密码 by e-mail and the staff's 重置密码 alike), through the
    notification outbox, delivered by its task, to the account's own address (``password_reset_channel``),
    never to one typed by whoever asks.

    By e-mail: a one-time link to Django's reset-confirm page. Its ``default_token_generator`` token stops
    working once the password is changed (so it works once) or after ``PASSWORD_RESET_TIMEOUT``. Each
    request is its own event, so two requests send two links.

    By SMS (a mobile-only account): an SMS template cannot carry a link, so a password-reset code goes to
    the account's mobile (``codes.issue_code``, with the limits of the number; a staff request carries no
    IP address) and the applicant sets the new password on the 忘记密码 by SMS page. Raises
    ``codes.CodeRateLimited`` when the number had too many codes.

    The row is ``secret``: the admin never shows its text and delivery wipes it. ``requested_by`` is the
    member of staff who asked (kept on the row: who asked, for whom, when), ``None`` for the self-service
    form. Returns the outbox row, or ``None`` when the account has no address.
    """
    channel = password_reset_channel(user)
    if channel is None:
        return None
    if channel == Channel.SMS:
        issued = codes.issue_code(
            purpose=CodePurpose.PASSWORD_RESET, mobile=user.mobile, ip=None, user=user, requested_by=requested_by
        )
        return issued.notification
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    protocol = "https" if use_https else "http"
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {
        "user": user, "uid": uid, "token": token, "protocol": protocol, "domain": domain,
        "reset_url": f"{protocol}://{domain}{path}",
        "site_name": settings.SITE_TITLE,
        "requested_by_staff": requested_by is not None,
    }
    with transaction.atomic():
        rows = notify(
            event=f"password_reset:{user.pk}:{uuid.uuid4().hex}", recipient=user, template="password_reset",
            context=context, channels=[channel], secret=True, requested_by=requested_by,
        )
    return rows[0] if rows else None


def request_password_reset(account, *, actor, domain, use_https):
    """重置密码 by staff: send ``account`` a one-time reset link, or a code by SMS (``send_password_reset``),
    on ``actor``'s behalf. ``actor`` never sees the link or code: it is written straight into the outbox,
    which never shows it. Raises :class:`PasswordResetRefused` when ``actor`` may not
    (``can_reset_password_of``: only an active applicant account), the account has neither e-mail nor
    mobile, or its number had too many codes (``codes.CodeRateLimited``).
    """
    if not can_reset_passwords(actor):
        raise PasswordResetRefused(_("You may not reset passwords."))
    if not can_reset_password_of(actor, account):
        if not account.is_active:
            raise PasswordResetRefused(
                _("%(account)s is deactivated: its password cannot be reset.") % {"account": account.username}
            )
        raise PasswordResetRefused(
            _("%(account)s is a staff account: only applicant accounts can be reset here.")
            % {"account": account.username}
        )
    try:
        row = send_password_reset(account, domain=domain, use_https=use_https, requested_by=actor)
    except codes.CodeRateLimited as limited:
        raise PasswordResetRefused(
            _("%(account)s: %(reason)s") % {"account": account.username, "reason": limited.message}
        ) from None
    if row is None:
        raise PasswordResetRefused(
            _("%(account)s has neither an e-mail address nor a mobile number to send a link to.")
            % {"account": account.username}
        )
    # Who sent a reset link (or code) to which account, and by which channel; never the link, code or address.
    record(AuditAction.PASSWORD_RESET, actor=actor, obj=account, channel=row.channel)
    return row
