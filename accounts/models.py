"""Users: applicants sign up with a mobile number or an e-mail address; staff use the same model."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """``username`` holds the identifier the person signed up with (mobile number or e-mail)."""

    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(fields=["mobile"], condition=~Q(mobile=""), name="unique_user_mobile"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username
