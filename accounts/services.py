"""Applicant accounts: an applicant signs up with a mainland mobile number or an e-mail address.

The identifier the person typed becomes ``username`` (normalised: a mobile as 11 digits, an e-mail in
lower case) and is also stored in ``mobile`` or ``email`` so that the login backend and Django's
password-reset form find the account. An identifier is unique across the username, e-mail and mobile
of every user, so that a login attempt never matches two accounts.
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.models import Channel, Notification
from notifications.services import notify
from recruitment.validators import normalize_mobile, validate_mobile

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


def mobile_is_taken(mobile):
    User = get_user_model()
    return User._default_manager.filter(Q(username=mobile) | Q(mobile=mobile)).exists()


def identifier_is_taken(identifier):
    if identifier.kind == MOBILE:
        return mobile_is_taken(identifier.value)
    return email_is_taken(identifier.value)


def create_applicant_account(*, identifier, password, recovery_email=""):
    """Create an applicant's account and return it (not logged in: the caller decides).

    ``identifier`` is an :class:`Identifier`. For a mobile sign-up ``recovery_email`` is stored as the
    account's e-mail so that the password can be reset by e-mail; without it only staff can reset it.
    For an e-mail sign-up the identifier itself is the recovery address and ``recovery_email`` is ignored.

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
            return User._default_manager.create_user(
                username=identifier.value, email=email, mobile=mobile, password=password
            )
    except IntegrityError:
        # The unique username / mobile constraints caught a concurrent sign-up with the same identifier.
        raise IdentifierTaken("identifier") from None


def record_password_reset(*, user, address, context):
    """Write a password-reset e-mail for ``user`` into the notification outbox; the delivery task sends it.

    Nothing is sent inside the request, so a known address answers as fast as an unknown one (the
    form answers the same page for both). ``context`` is the one Django's ``PasswordResetForm`` builds
    (``uid``, ``token``, ``protocol``, ``domain``…). Each request is its own event. The row is marked
    ``secret``: its text holds a one-time link, which the admin never shows; rows are flagged in the
    same transaction as they are written, before their delivery is queued (after commit).
    """
    with transaction.atomic():
        rows = notify(
            event=f"password_reset:{user.pk}:{uuid.uuid4().hex}", recipient=user, template="password_reset",
            context=context, channels=[Channel.EMAIL], addresses={Channel.EMAIL: address},
        )
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(secret=True)
    return rows
