"""``Activity.contact``: the contact an act is about, copied from ``data["contact_id"]`` into an indexed
column, so a contact's timeline, aggregates, merge and erasure read an index instead of every row's JSON.
Existing rows are filled from their data before the index is built."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = {
    "sqlite": """
        UPDATE activity_activity SET contact_id = json_extract(data, '$.contact_id')
        WHERE json_type(data, '$.contact_id') = 'integer'
    """,
    "postgresql": """
        UPDATE activity_activity SET contact_id = (data ->> 'contact_id')::bigint
        WHERE jsonb_typeof(data -> 'contact_id') = 'number' AND (data ->> 'contact_id') ~ '^[0-9]{1,18}$'
    """,
}


def contacts_fill(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    sql = FILL.get(schema_editor.connection.vendor)
    if sql is None:  # another database: the rows are read one by one
        Activity = apps.get_model("activity", "Activity")
        for activity in Activity.objects.filter(data__has_key="contact_id").only("pk", "data").iterator():
            value = activity.data.get("contact_id")
            if isinstance(value, int) and not isinstance(value, bool):
                Activity.objects.filter(pk=activity.pk).update(contact_id=value)
        return
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0005_score_indexes"),
        ("directory", "0003_storefront"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="customers.contact",
                verbose_name="contact",
            ),
        ),
        migrations.RunPython(contacts_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact", "-occurred_at", "-id"],
                name="activity_contact_time",
            ),
        ),
    ]
