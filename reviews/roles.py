"""Staff roles (groups) and the permissions each holds. The migration ``0002_roles`` applies this.

A role sees and does only its part: the admin and the views ask the predicates in
``reviews.permissions``, which ask these permissions.
"""

ROUND1_REVIEWER = "初审员 (round-1 reviewer)"
RISK_OFFICER = "风控专员 (risk officer)"
FINAL_COMMITTEE = "终审委员 (final committee)"
OPERATIONS = "运营 (operations)"
CAMPAIGN_ADMIN = "活动管理员 (campaign admin)"

ROLE_PERMISSIONS = {
    ROUND1_REVIEWER: [
        "applications.view_application",
        "reviews.view_checklistitem",
        "reviews.add_round1review",
        "reviews.view_round1review",
        "reviews.view_phonetask",
    ],
    RISK_OFFICER: [
        "applications.view_application",
        "applications.close_out_non_filers",
        "reviews.view_filing",
        "reviews.view_riskassessment",
        "reviews.add_riskassessment",
        "reviews.view_riskrule",
        "reviews.change_riskrule",
        "reviews.view_sanctionrecord",
        "reviews.add_sanctionrecord",
        "reviews.change_sanctionrecord",
        "reviews.delete_sanctionrecord",
    ],
    FINAL_COMMITTEE: [
        "applications.view_application",
        "reviews.view_rubriccriterion",
        "reviews.add_scoresheet",
    ],
    OPERATIONS: [
        "applications.view_application",
        "reviews.view_phonetask",
        "reviews.change_phonetask",
        "notifications.view_notification",
        "notifications.view_dingtalkalert",
        "probation.view_leader",
        "probation.view_violation",
        "probation.add_violation",
        "probation.add_dataimport",
    ],
    CAMPAIGN_ADMIN: [
        "applications.view_application",
        "applications.reopen_filing",
        "applications.view_customquestion",
        "applications.add_customquestion",
        "applications.change_customquestion",
        "applications.delete_customquestion",
        "recruitment.view_campaign",
        "recruitment.change_campaign",
        "recruitment.add_campaign",
        "recruitment.view_basiccheckmonth",
        "recruitment.add_basiccheckmonth",
        "recruitment.change_basiccheckmonth",
        "recruitment.delete_basiccheckmonth",
        "recruitment.select_applications",
        "recruitment.publish_results",
        "reviews.view_checklistitem",
        "reviews.add_checklistitem",
        "reviews.change_checklistitem",
        "reviews.delete_checklistitem",
        "reviews.view_round1review",
        "reviews.view_phonetask",
        "reviews.view_filing",
        "reviews.view_riskassessment",
        "reviews.view_riskrule",
        "reviews.change_riskrule",
        "reviews.view_sanctionrecord",
        "reviews.view_rubriccriterion",
        "reviews.add_rubriccriterion",
        "reviews.change_rubriccriterion",
        "reviews.delete_rubriccriterion",
        "reviews.view_scoresheet",
        "notifications.view_notification",
        "probation.view_leader",
        "probation.view_violation",
        "probation.add_violation",
        "probation.add_dataimport",
        "probation.add_checkresult",
        "reviews.view_committeemember",
        "reviews.add_committeemember",
        "reviews.delete_committeemember",
        # DingTalk: the campaign's group robot (webhook and secret) and the alert outbox.
        "notifications.view_dingtalkrobot",
        "notifications.add_dingtalkrobot",
        "notifications.change_dingtalkrobot",
        "notifications.view_dingtalkalert",
    ],
}


def ensure_roles():
    """Create any missing role group and give every role its permissions (idempotent).

    The migrations create the roles on a fresh database; this restores them where the rows were
    removed (a flushed test database, an operator who deleted a group by mistake).
    """
    from django.contrib.auth.models import Group, Permission

    for name, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
