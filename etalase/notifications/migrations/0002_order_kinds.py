# Orders and payments: the team hears of orders cancelled by customers; customers of their payments.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("favourited", "Favourites"),
                    ("commented", "Comments"),
                    ("asked", "Questions"),
                    ("followed", "New followers"),
                    ("interest", "Interested customers"),
                    ("ordered", "Orders"),
                    ("first_order", "First orders from new customers"),
                    ("paid", "Payments received"),
                    ("payment_waiting", "Payments waiting for confirmation"),
                    ("order_cancelled", "Orders cancelled by customers"),
                    ("complaint", "Complaints"),
                    ("new_product", "New products from shops I follow"),
                    ("new_post", "New posts from shops I follow"),
                    ("answered", "Answers to my questions"),
                    ("order_status", "My orders"),
                    ("order_payment", "Payments for my orders"),
                    ("digest", "Daily summary"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
    ]
