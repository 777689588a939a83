# Publicity becomes a fixed share of the regular part (issue #18): the scheme's publicity points
# (added to the regular part's maximum, so their weight depended on how many checks were entered)
# become the publicity share in % (the default 10 points reads as 10%). Closed years keep their
# published scores (scores_recompute leaves a closed year as it was).
import django.core.validators
from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0005_year_outcomes"),
    ]

    operations = [
        migrations.RenameField(model_name="scheme", old_name="publicity_points", new_name="publicity_share"),
        migrations.AlterField(
            model_name="scheme",
            name="publicity_share",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("10"), max_digits=5,
                help_text="经常性考核 = 各次考核折算分 × (100 − 该比例)% + 宣传阵地完成率 × 该比例%；与录入了多少次考核无关。0 表示宣传阵地不计分。",
                validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)],
                verbose_name="宣传阵地占经常性考核比例（%）",
            ),
        ),
    ]
