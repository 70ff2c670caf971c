# Payments rejected are counted, so payments pending (made - confirmed - rejected) fall after a rejection.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dailymetric",
            name="metric",
            field=models.CharField(
                choices=[
                    ("storefront_views", "Storefront views"),
                    ("product_views", "Product views"),
                    ("visitors", "Visitors"),
                    ("favourites", "Favourites"),
                    ("unfavourites", "Favourites removed"),
                    ("followers_gained", "New followers"),
                    ("followers_lost", "Followers lost"),
                    ("comments", "Comments"),
                    ("questions", "Questions"),
                    ("shares", "Shares"),
                    ("orders", "Orders"),
                    ("order_value", "Value of orders"),
                    ("cancellations", "Cancelled orders"),
                    ("cancelled_value", "Value of cancelled orders"),
                    ("paid_orders", "Paid orders"),
                    ("payments_paid", "Payments made"),
                    ("payments_confirmed", "Payments confirmed"),
                    ("payments_rejected", "Payments rejected"),
                ],
                max_length=32,
                verbose_name="metric",
            ),
        ),
    ]
