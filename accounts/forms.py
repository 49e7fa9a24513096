from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .throttling import LoginNameLengthMixin


class SignupForm(forms.Form):
    """Sign-up (注册): one identifier field, an optional recovery e-mail and the password twice."""

    identifier = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        help_text=_("A mainland China mobile number or an e-mail address. You will log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(
        label=_("E-mail for password recovery (optional)"),
        required=False,
        help_text=_(
            "Only needed when you sign up with a mobile number. Without it, a forgotten password can only be "
            "reset by contacting the campaign staff."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Enter the same password again."),
    )

    def clean_identifier(self):
        identifier = services.parse_identifier(self.cleaned_data["identifier"])
        if services.identifier_is_taken(identifier):
            raise ValidationError(
                _("An account with this mobile number or e-mail already exists. Log in instead."), code="taken"
            )
        return identifier

    def clean(self):
        cleaned = super().clean()
        identifier = cleaned.get("identifier")
        email = services.normalize_email(cleaned.get("email"))
        if identifier is not None and identifier.kind == services.MOBILE and email and services.email_is_taken(email):
            self.add_error("email", _("This e-mail address is already used by another account."))
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1 and identifier is not None:
            try:
                password_validation.validate_password(password1, self._unsaved_user(identifier, email))
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def _unsaved_user(self, identifier, email):
        """The account as it would be, so that the similarity validator can compare the password to it."""
        User = get_user_model()
        if identifier.kind == services.MOBILE:
            return User(username=identifier.value, mobile=identifier.value, email=email)
        return User(username=identifier.value, email=identifier.value)

    def account_kwargs(self):
        return {
            "identifier": self.cleaned_data["identifier"],
            "password": self.cleaned_data["password1"],
            "recovery_email": self.cleaned_data.get("email") or "",
        }


class LoginForm(LoginNameLengthMixin, AuthenticationForm):
    """Log in (登录) with the mobile number or e-mail used at sign-up (a staff username works too)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The mobile number / e-mail or the password is incorrect."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Mobile number or e-mail")


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset (忘记密码) by e-mail: for each active account of the address, the one reset mechanism
    (``services.send_password_reset``, which the staff's 重置密码 uses too) writes the link into the
    notification outbox; the Celery task delivers it after commit, never inside the request."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        # Django's other arguments (templates, token generator, extra context) are the service's to choose.
        domain = domain_override or get_current_site(request).domain
        for user in self.get_users(self.cleaned_data["email"]):
            services.send_password_reset(user, domain=domain, use_https=use_https)
