"""Users: applicants sign up with a mobile number or an e-mail address; staff use the same model."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
