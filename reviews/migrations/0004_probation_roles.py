"""Gives operations and the campaign admin their probation permissions (board, imports, violations)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "运营 (operations)": [
        "probation.view_leader", "probation.view_violation", "probation.add_violation", "probation.add_dataimport",
    ],
    "活动管理员 (campaign admin)": [
        "probation.view_leader", "probation.view_violation", "probation.add_violation", "probation.add_dataimport",
        "probation.add_checkresult",
    ],
}


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_admin_queues"),
        ("probation", "0002_r4_board_and_import_pages"),
    ]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
