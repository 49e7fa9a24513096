from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from recruitment.validators import normalize_mobile, validate_mobile

from . import services
from .codes import CODE_LENGTH
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
            "Only for a sign-up with a mobile number: a second way to reset a forgotten password, besides a code "
            "sent to the mobile number by SMS."
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


# --- SMS codes (accounts.mobile) ------------------------------------------------------------------------


class MobileField(forms.CharField):
    """A mainland mobile number, returned as 11 digits (spaces, dashes and +86 allowed when typed)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        validate_mobile(value)
        return normalize_mobile(value)


class CodeField(forms.CharField):
    """The six-digit SMS code (spaces ignored)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SMS code"))
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("The six digits in the text message. A code works once."))
        kwargs.setdefault("widget", forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ))
        super().__init__(**kwargs)

    def clean(self, value):
        value = "".join((super().clean(value) or "").split())
        if not (value.isdigit() and len(value) == CODE_LENGTH):
            raise ValidationError(_("Enter the six digits of the SMS code."), code="code_format")
        return value


class CodeForm(forms.Form):
    """Enter a code (sign-up, verifying the number, changing it)."""

    code = CodeField()


class ChangeMobileForm(forms.Form):
    """更换手机号: the new number and, to show it is the account holder asking, the current password."""

    new_mobile = MobileField(label=_("New mobile number"))
    password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_mobile(self):
        mobile = self.cleaned_data["new_mobile"]
        if mobile == self.user.mobile:
            raise ValidationError(_("This is already your mobile number."), code="same")
        if services.mobile_is_taken(mobile):
            raise ValidationError(_("This mobile number is already used by another account."), code="taken")
        return mobile

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is incorrect."), code="password_incorrect")
        return password


class SmsResetRequestForm(forms.Form):
    """忘记密码 by SMS, step 1: the number of the account."""

    mobile = MobileField(
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel", "autofocus": True})
    )


class SmsResetForm(forms.Form):
    """忘记密码 by SMS, step 2: the number, its code and the new password twice (Django's validators, checked
    against the number alone so that no answer depends on whether an account has it)."""

    mobile = MobileField(widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel"}))
    code = CodeField()
    new_password1 = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password confirmation"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if password1 and password2 and password1 != password2:
            self.add_error("new_password2", _("The two passwords do not match."))
        elif password1:
            mobile = cleaned.get("mobile") or ""
            try:
                password_validation.validate_password(
                    password1, get_user_model()(username=mobile, mobile=mobile)
                )
            except ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned
