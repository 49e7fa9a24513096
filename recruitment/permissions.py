"""Who may do what with campaigns: named predicates for the admin and its templates (superusers pass)."""


def can_copy_campaign(user):
    """复制为新一轮: creating a campaign, which the campaign admin's role (活动管理员) holds."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff
                and user.has_perm("recruitment.add_campaign"))
