"""A tenant is offered in all three languages unless it says otherwise.

Until the tenant's languages were used (pages and mails), every tenant was shown in all three
whatever the column said; a tenant still on the old default "en" keeps what its people saw.
"""

from django.db import migrations, models

ALL = "en,zh-hant,zh-hans"


def keep_what_people_saw(apps, schema_editor):
    apps.get_model("core", "Tenant").objects.filter(languages="en").update(languages=ALL)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_tenant_api_limit_per_address"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tenant",
            name="languages",
            field=models.CharField(db_default=ALL, default=ALL, max_length=100),
        ),
        migrations.RunPython(keep_what_people_saw, migrations.RunPython.noop),
    ]
