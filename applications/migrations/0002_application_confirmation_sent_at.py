from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='confirmation_sent_at',
            field=models.DateTimeField(blank=True, help_text='Set when the submission confirmation went out; a resubmission sends a new one.', null=True, verbose_name='confirmation e-mail sent at'),
        ),
    ]
