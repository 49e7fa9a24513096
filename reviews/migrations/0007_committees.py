"""Each campaign's final-review committee (终审委员会) and selections made without every member's sheet.

Every existing campaign's committee holds the active users of the final committee role (on a fresh
database there are none yet; on a demo database these are judge1 and judge2); the campaign admin role may
assign committees.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

FINAL_COMMITTEE = "终审委员 (final committee)"
CAMPAIGN_ADMIN = "活动管理员 (campaign admin)"
COMMITTEE_PERMISSIONS = ["view_committeemember", "add_committeemember", "delete_committeemember"]


def committees_from_role(apps, schema_editor):
    Campaign = apps.get_model("recruitment", "Campaign")
    CommitteeMember = apps.get_model("reviews", "CommitteeMember")
    User = apps.get_model("accounts", "User")
    judges = list(User.objects.filter(groups__name=FINAL_COMMITTEE, is_active=True).distinct().order_by("pk"))
    for campaign in Campaign.objects.order_by("pk"):
        for judge in judges:
            CommitteeMember.objects.get_or_create(campaign=campaign, member=judge)


def committee_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        previous, app_config.models_module = getattr(app_config, "models_module", None), True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CAMPAIGN_ADMIN)
    for codename in COMMITTEE_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="reviews", codename=codename))


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0006_call_attempts'),
        ('applications', '0004_review_pipeline_states'),
        ('recruitment', '0005_data_mark'),
        ('accounts', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Committee',
            fields=[
            ],
            options={
                'verbose_name': 'final-review committee (终审委员会)',
                'verbose_name_plural': 'final-review committees (终审委员会)',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('recruitment.campaign',),
        ),
        migrations.CreateModel(
            name='SelectionOverride',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='reason to select without every score sheet')),
                ('missing_members', models.JSONField(default=list, help_text='Login names of the committee members who had not scored when the selection was made.', verbose_name='members without a score sheet')),
                ('decided_at', models.DateTimeField(verbose_name='decided at')),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='selection_override', to='applications.application', verbose_name='application')),
                ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
            ],
            options={
                'verbose_name': 'selection without every score sheet',
                'verbose_name_plural': 'selections without every score sheet',
            },
        ),
        migrations.CreateModel(
            name='CommitteeMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('added_at', models.DateTimeField(auto_now_add=True, verbose_name='added at')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='committee_members', to='recruitment.campaign', verbose_name='campaign')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='committee_seats', to=settings.AUTH_USER_MODEL, verbose_name='committee member')),
            ],
            options={
                'verbose_name': 'committee member',
                'verbose_name_plural': 'committee members',
                'ordering': ['campaign', 'member__username'],
                'constraints': [models.UniqueConstraint(fields=('campaign', 'member'), name='one_committee_seat_per_campaign')],
            },
        ),
        migrations.RunPython(committees_from_role, migrations.RunPython.noop),
        migrations.RunPython(committee_permissions, migrations.RunPython.noop),
    ]
