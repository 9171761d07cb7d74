# The restocking fee only for the reasons the seller chose: the policy's `fee_reasons` and the
# request's, frozen with its fee. Existing policies and open requests take the default (goods
# no longer needed, another reason): a damaged, defective or wrong item no longer pays a fee.

from django.db import migrations, models

import dinghuo.returns.models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0002_photos_exchanges"),
    ]

    operations = [
        migrations.AddField(
            model_name="returnpolicy",
            name="fee_reasons",
            field=models.JSONField(blank=True, default=dinghuo.returns.models.default_fee_reasons),
        ),
        migrations.AddField(
            model_name="returnrequest",
            name="fee_reasons",
            field=models.JSONField(default=dinghuo.returns.models.default_fee_reasons),
        ),
    ]
