"""Log in with the username, the e-mail address or the mobile number, whichever the person typed."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Q

from recruitment.validators import normalize_mobile


class IdentifierBackend(ModelBackend):
    def get_user(self, user_id):
        """The logged-in user of a request (every page asks), read with a plain statement.

        As ``ModelBackend.get_user``: ``None`` for an unknown or inactive user. A raw query because
        compiling the ORM query cost more than running it (bench "pages").
        """
        User = get_user_model()
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        quote = connections[router.db_for_read(User)].ops.quote_name
        sql = f"SELECT * FROM {quote(User._meta.db_table)} WHERE {quote(User._meta.pk.column)} = %s"
        users = list(User._default_manager.raw(sql, [pk]))
        user = users[0] if users else None
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        ident = username.strip()
        candidates = User._default_manager.filter(
            Q(username__iexact=ident) | Q(email__iexact=ident) | Q(mobile=normalize_mobile(ident), mobile__gt="")
        )[:2]
        users = list(candidates)
        if len(users) != 1:
            # Unknown or ambiguous: run the hasher anyway so timing does not reveal which.
            User().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' guard, first in ``AUTHENTICATION_BACKENDS``: a locked-out (login name, IP) pair is
    refused before any password is checked.

    Axes needs the request to know the client; an ``authenticate()`` without one (a management command,
    the shell) has no remote client to throttle, so it passes through to the next backend unchecked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
