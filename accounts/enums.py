from django.db import models
from django.utils.translation import gettext_lazy as _


class CodePurpose(models.TextChoices):
    """What a one-time SMS code (``PhoneCode``) proves the holder of a mobile number wants to do."""

    SIGNUP = "signup", _("Sign-up")
    VERIFY_MOBILE = "verify_mobile", _("Verify the mobile number")
    CHANGE_MOBILE = "change_mobile", _("Change the mobile number")
    PASSWORD_RESET = "password_reset", _("Password reset")
