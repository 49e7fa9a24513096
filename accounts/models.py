"""Users: applicants sign up with a mobile number or an e-mail address; staff use the same model."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import CodePurpose


class User(AbstractUser):
    """``username`` holds the identifier the person signed up with (mobile number or e-mail)."""

    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    mobile_verified_at = models.DateTimeField(
        _("mobile verified at"), null=True, blank=True,
        help_text=_("When the holder of the mobile number proved it with an SMS code; empty while unverified."),
    )
    dingtalk_user_id = models.CharField(
        _("DingTalk user ID"), max_length=64, blank=True,
        help_text=_("Staff only: the ID DingTalk knows this person by, so that alerts in a DingTalk group can "
                    "@ them (the mobile number above works too when DingTalk knows it)."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(fields=["mobile"], condition=~Q(mobile=""), name="unique_user_mobile"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username


class WorkspaceChoice(models.Model):
    """The campaign a member of staff works on in the admin (工作活动), remembered across sessions.

    Written only by ``remember`` (the admin's campaign switch, and 复制为新一轮 for the new round it made);
    without a row the admin opens on the campaign whose stage the staff member's role works on.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="workspace_choice", verbose_name=_("user")
    )
    campaign = models.ForeignKey(
        "recruitment.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    chosen_at = models.DateTimeField(_("chosen at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign worked on")
        verbose_name_plural = _("campaigns worked on")

    def __str__(self):
        return f"{self.user} → {self.campaign}"

    @classmethod
    def remember(cls, user, campaign):
        """``campaign`` is the one ``user`` works on from now (replacing an earlier choice)."""
        cls.objects.update_or_create(user=user, defaults={"campaign": campaign})

class PhoneCode(models.Model):
    """A six-digit code sent by SMS to prove that a person holds a mobile number (手机验证码).

    Written and checked only by ``accounts.codes``. The code itself is never stored: ``code_hash`` is an
    HMAC of the purpose, the number and the code keyed from ``SECRET_KEY``; the clear code exists only in
    the SMS outbox row's secret parameters until the SMS is delivered. A code works once (``used_at``),
    until ``expires_at``, and not after ``VERIFICATION_CODE_MAX_ATTEMPTS`` wrong tries; a newer code for the
    same number and purpose supersedes it. Every request is a row, also for a number that no account has
    (a 忘记密码 for an unknown number: nothing is sent), so that the limits per number and per IP address
    count every request alike.
    """

    purpose = models.CharField(_("purpose"), max_length=20, choices=CodePurpose.choices)
    mobile = models.CharField(_("mobile number"), max_length=11, db_index=True)
    code_hash = models.CharField(_("code (hashed)"), max_length=64)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("account"),
        help_text=_("The account the code is for; empty for a sign-up or a number no account has."),
    )
    requested_ip = models.GenericIPAddressField(
        _("requested from IP address"), null=True, blank=True, db_index=True,
        help_text=_("Empty when a member of staff asked for the code."),
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("requested by"),
        help_text=_("The member of staff who asked for the code (重置密码), if any."),
    )
    sent = models.BooleanField(_("sent"), default=False, help_text=_("False when nothing was sent (no account)."))
    created_at = models.DateTimeField(_("created at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)

    class Meta:
        verbose_name = _("SMS verification code")
        verbose_name_plural = _("SMS verification codes")
        indexes = [models.Index(fields=["mobile", "purpose", "-created_at"], name="phonecode_latest")]

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.mobile[:3]}****{self.mobile[-4:]}"
