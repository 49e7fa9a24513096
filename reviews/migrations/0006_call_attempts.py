"""Phone tasks keep every call (``CallAttempt``); the task's outcome, caller, time and note become the
latest call's. Each task already called gets that call as its first attempt (the task kept only the last
outcome, so that is the one history there is)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def calls_into_attempts(apps, schema_editor):
    PhoneTask = apps.get_model("reviews", "PhoneTask")
    CallAttempt = apps.get_model("reviews", "CallAttempt")
    for task in PhoneTask.objects.filter(called_at__isnull=False).exclude(outcome="pending").order_by("pk"):
        if not CallAttempt.objects.filter(task=task).exists():
            CallAttempt.objects.create(
                task=task, called_at=task.called_at, called_by_id=task.called_by_id, outcome=task.outcome,
                note=task.note,
            )


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0005_round1_checklist_waiver'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='phonetask',
            name='called_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last called at'),
        ),
        migrations.AlterField(
            model_name='phonetask',
            name='called_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last called by'),
        ),
        migrations.AlterField(
            model_name='phonetask',
            name='note',
            field=models.TextField(blank=True, verbose_name='latest note'),
        ),
        migrations.AlterField(
            model_name='phonetask',
            name='outcome',
            field=models.CharField(choices=[('pending', 'Not called yet'), ('reached', 'Reached'), ('no_answer', 'No answer, call again'), ('wrong_number', 'Wrong number')], db_index=True, default='pending', max_length=20, verbose_name='latest outcome'),
        ),
        migrations.CreateModel(
            name='CallAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('called_at', models.DateTimeField(verbose_name='called at')),
                ('outcome', models.CharField(choices=[('pending', 'Not called yet'), ('reached', 'Reached'), ('no_answer', 'No answer, call again'), ('wrong_number', 'Wrong number')], max_length=20, verbose_name='outcome')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('called_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='called by')),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='reviews.phonetask', verbose_name='phone notification')),
            ],
            options={
                'verbose_name': 'call attempt',
                'verbose_name_plural': 'call attempts',
                'ordering': ['task', 'called_at', 'id'],
            },
        ),
        migrations.RunPython(calls_into_attempts, migrations.RunPython.noop),
    ]
