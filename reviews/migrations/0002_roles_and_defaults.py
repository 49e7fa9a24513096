"""Creates the staff roles (groups with their permissions) and the 2024 campaign's review defaults.

Permissions are normally created after all migrations (post_migrate); they are created here first so
the groups can hold them on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


# The roles as they were at this migration (later migrations add to them; reviews/roles.py is the
# current list, and a test checks the database matches it).
ROLE_PERMISSIONS = {
    "初审员 (round-1 reviewer)": [
        "applications.view_application", "reviews.view_checklistitem", "reviews.add_round1review",
        "reviews.view_round1review", "reviews.view_phonetask",
    ],
    "风控专员 (risk officer)": [
        "applications.view_application", "reviews.view_filing", "reviews.view_riskassessment",
        "reviews.add_riskassessment", "reviews.view_riskrule", "reviews.change_riskrule",
        "reviews.view_sanctionrecord", "reviews.add_sanctionrecord", "reviews.change_sanctionrecord",
        "reviews.delete_sanctionrecord",
    ],
    "终审委员 (final committee)": [
        "applications.view_application", "reviews.view_rubriccriterion", "reviews.add_scoresheet",
    ],
    "运营 (operations)": [
        "applications.view_application", "reviews.view_phonetask", "reviews.change_phonetask",
        "notifications.view_notification",
    ],
    "活动管理员 (campaign admin)": [
        "applications.view_application", "recruitment.view_campaign", "recruitment.change_campaign",
        "recruitment.add_campaign", "recruitment.view_basiccheckmonth", "recruitment.add_basiccheckmonth",
        "recruitment.change_basiccheckmonth", "recruitment.delete_basiccheckmonth",
        "recruitment.select_applications", "recruitment.publish_results", "reviews.view_checklistitem",
        "reviews.add_checklistitem", "reviews.change_checklistitem", "reviews.delete_checklistitem",
        "reviews.view_round1review", "reviews.view_phonetask", "reviews.view_filing",
        "reviews.view_riskassessment", "reviews.view_riskrule", "reviews.change_riskrule",
        "reviews.view_sanctionrecord", "reviews.view_rubriccriterion", "reviews.add_rubriccriterion",
        "reviews.change_rubriccriterion", "reviews.delete_rubriccriterion", "reviews.view_scoresheet",
        "notifications.view_notification",
    ],
}

CHECKLIST = [
    "问卷各部分填写完整，附件齐全可读",
    "主体为公司，统一社会信用代码与营业执照一致",
    "公司经营稳定，团队配置（招商、运营人员）合理",
    "新商家资源与历史合作案例真实具体",
    "联系人手机号、钉钉号有效",
]

RISK_RULES = [
    ("company_entity", None),
    ("min_incorporation_years", 1),
    ("max_associated_accounts", 3),
    ("no_recent_clearing", 6),
    ("no_poor_history", None),
    ("no_violation_record", None),
    ("not_barred_this_round", None),
]

# Weighted most on new-merchant resources and cases (announcement §2 重点考核).
RUBRIC = [
    ("通用资质", "经营年限、团队规模与构成、公司稳定性", 15),
    ("加分项", "站外推广经验、其他平台团长经验、淘宝联盟其他合作身份、细分行业、独家推广渠道", 15),
    ("新商家资源", "可引入的未开通淘宝客商家数量与质量", 30),
    ("历史合作案例", "案例的真实性、规模与相关性", 25),
    ("招商计划与媒体投入", "目标招商成交规模、目标纳新商家数、媒体投入计划的可行性", 15),
]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def create_defaults(apps, schema_editor):
    Campaign = apps.get_model("recruitment", "Campaign")
    campaign = Campaign.objects.filter(slug="2024-nx2").first()
    if campaign is None:
        return
    ChecklistItem = apps.get_model("reviews", "ChecklistItem")
    RiskRule = apps.get_model("reviews", "RiskRule")
    RubricCriterion = apps.get_model("reviews", "RubricCriterion")
    for position, text in enumerate(CHECKLIST):
        ChecklistItem.objects.get_or_create(campaign=campaign, text=text, defaults={"position": position})
    for code, parameter in RISK_RULES:
        RiskRule.objects.get_or_create(campaign=campaign, code=code, defaults={"parameter": parameter})
    for position, (name, description, weight) in enumerate(RUBRIC):
        RubricCriterion.objects.get_or_create(
            campaign=campaign, name=name,
            defaults={"description": description, "weight": weight, "max_score": 10, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("recruitment", "0003_publication_permissions"),
        ("applications", "0004_review_pipeline_states"),
        ("notifications", "0001_initial"),
        ("probation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
