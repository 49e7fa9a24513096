"""Template filters over the accounts predicates (``accounts.permissions``)."""

from django import template

from accounts import codes, permissions

register = template.Library()


@register.filter
def must_verify_mobile(user):
    """``{% if user|must_verify_mobile %}``: an applicant whose mobile number was never verified."""
    return permissions.must_verify_mobile(user)


@register.filter
def masked_mobile(number):
    """138****8000."""
    return codes.mask_mobile(number or "")
