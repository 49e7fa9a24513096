"""Round 1: the written reason to pass without the full checklist (初审清单)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0004_probation_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='round1review',
            name='checklist_waiver',
            field=models.TextField(blank=True, help_text='Required to pass an application without every checklist item of its campaign ticked.', verbose_name='reason to pass without the full checklist'),
        ),
    ]
