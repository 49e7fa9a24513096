from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("probation", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Board",
            fields=[],
            options={
                "verbose_name": "probation board",
                "verbose_name_plural": "probation board",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("probation.leader",),
        ),
        migrations.CreateModel(
            name="DataImport",
            fields=[],
            options={
                "verbose_name": "probation data import",
                "verbose_name_plural": "import probation data",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("probation.leader",),
        ),
    ]
