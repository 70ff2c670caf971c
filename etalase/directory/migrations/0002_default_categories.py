from django.db import migrations

# Business fields every fresh installation starts with; operators edit them in the admin.
CATEGORIES = [
    ("fashion-batik", "Batik & Busana", "Batik & Fashion"),
    ("coffee-shop", "Kedai Kopi", "Coffee Shop"),
    ("food-catering", "Katering & Makanan", "Catering & Food"),
    ("bakery", "Toko Roti & Kue", "Bakery & Cakes"),
    ("phone-repair", "Servis Ponsel & Elektronik", "Phone & Electronics Repair"),
    ("laundry", "Laundry", "Laundry"),
    ("handicraft", "Kerajinan Tangan", "Handicraft"),
    ("beauty", "Kecantikan & Salon", "Beauty & Salon"),
    ("grocery", "Toko Kelontong", "Grocery"),
    ("workshop", "Bengkel Motor & Mobil", "Motorbike & Car Workshop"),
    ("agriculture", "Hasil Tani & Kebun", "Farm Produce"),
    ("services", "Jasa Lainnya", "Other Services"),
]


def create(apps, schema_editor):
    Category = apps.get_model("directory", "Category")
    for position, (slug, name_id, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_id": name_id, "name_en": name_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
