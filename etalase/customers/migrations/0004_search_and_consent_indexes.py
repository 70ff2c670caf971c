"""Indexes for the contact list of a big business (``etalase bench crm`` measures them).

SQLite:

- ``customers_contact_fts``: a full-text index (FTS5) of every contact's ``search_text``, kept current by
  triggers. Each word is stored as ``<business id>x<word>`` (``12xrina``), so a search reads only its
  own business's words, and ``"12xrin" *`` finds the contacts with a word starting with "rin" without
  reading every contact. The list still checks ``search_text`` itself, so the index only finds faster.
  (PostgreSQL has the trigram index of 0003.)
- ``contact_tag_business_contact``: (business, tag, contact), so the contacts of a tag are read and
  counted from the index alone.

Both:

- ``contact_business_city_lower``: (business, lower(city), last seen): a city typed in any case is one
  index range, read in the list's order.
- ``contact_consent_<key>``: for each channel and purpose, the contacts who gave that consent (JSON
  ``true``), by business and last seen: a partial index, so a consent that few gave is found at once
  and one that many gave is read in the list's order. The list's consent condition is the index's own
  term on each database (``json_type(...) = 'true'``; ``consent -> 'key' = 'true'::jsonb``).

The model state is not changed (like 0003's trigram index): these are each database's own structures.
On SQLite a later migration that rebuilds ``customers_contact`` (most ``AlterField``) drops the
triggers and indexes with the old table and must create them again (``indexes_create``); until then
the list reads without them (``filters`` checks that the triggers exist before it trusts the
full-text index).
"""

# ruff: noqa: S608 - every name and key in the SQL below is a constant of this file
from django.db import migrations

FTS = "customers_contact_fts"
CONSENT_KEYS = [
    f"{channel}_{purpose}" for channel in ("whatsapp", "sms", "email", "push") for purpose in ("marketing", "service")
]


def _words(row: str) -> str:
    """The FTS text of a contact row (``new`` or ``old`` in a trigger): its search words, each prefixed."""
    return (
        f"CASE WHEN trim({row}.search_text) = '' THEN '' ELSE {row}.business_id || 'x' || "
        f"replace(trim({row}.search_text), ' ', ' ' || {row}.business_id || 'x') END"
    )


def consent_term(key: str) -> str:
    """The SQLite partial indexes' condition (JSON ``true``, as the list's consent filter means it); the
    list writes the same term to use them."""
    return f"json_type(consent, '$.{key}') = 'true'"


POSTGRESQL_CREATE = [
    "CREATE INDEX IF NOT EXISTS contact_business_city_lower "
    "ON customers_contact (business_id, lower(city), last_seen_at DESC)",
    *(
        f"CREATE INDEX IF NOT EXISTS contact_consent_{key} ON customers_contact "
        f"(business_id, last_seen_at DESC, id DESC) WHERE (consent -> '{key}') = 'true'::jsonb"
        for key in CONSENT_KEYS
    ),
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS contact_business_city_lower",
    *(f"DROP INDEX IF EXISTS contact_consent_{key}" for key in CONSENT_KEYS),
]


CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(words)",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON customers_contact BEGIN
        INSERT INTO {FTS}(rowid, words) VALUES (new.id, {_words("new")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF search_text, business_id ON customers_contact
    WHEN old.search_text IS NOT new.search_text OR old.business_id IS NOT new.business_id BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
        INSERT INTO {FTS}(rowid, words) VALUES (new.id, {_words("new")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON customers_contact BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
    END""",
    f"DELETE FROM {FTS}",
    f"INSERT INTO {FTS}(rowid, words) SELECT id, {_words('customers_contact')} FROM customers_contact",
    "CREATE INDEX IF NOT EXISTS contact_business_city_lower "
    "ON customers_contact (business_id, lower(city), last_seen_at DESC)",
    "CREATE INDEX IF NOT EXISTS contact_tag_business_contact ON customers_contacttag (business_id, tag_id, contact_id)",
    *(
        f"CREATE INDEX IF NOT EXISTS contact_consent_{key} ON customers_contact (business_id, last_seen_at DESC) "
        f"WHERE {consent_term(key)}"
        for key in CONSENT_KEYS
    ),
]
DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TABLE IF EXISTS {FTS}",
    "DROP INDEX IF EXISTS contact_business_city_lower",
    "DROP INDEX IF EXISTS contact_tag_business_contact",
    *(f"DROP INDEX IF EXISTS contact_consent_{key}" for key in CONSENT_KEYS),
]


def indexes_create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)
        return
    if vendor != "sqlite":
        return
    for statement in CREATE:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        analyzed = cursor.fetchone()[0]
    if analyzed:
        # Statistics of the other indexes and none of the new ones would make SQLite think a new one
        # names ten contacts of a business, and read every contact through it.
        schema_editor.execute("ANALYZE customers_contact")
        schema_editor.execute("ANALYZE customers_contacttag")


def indexes_drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_DROP, "sqlite": DROP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_list_indexes")]

    operations = [migrations.RunPython(indexes_create, indexes_drop)]
