"""Keep the catalogues complete: extract strings, fill the English catalogue, compile.

    python scripts/i18n.py          # makemessages for id and en, fill en from the source, compile both
    python scripts/i18n.py --check  # exit 1 if any entry is untranslated or fuzzy (as the test does)

Source strings are English, so the English catalogue repeats them; Indonesian is translated by hand.
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "etalase" / "locale"
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def incomplete(language: str) -> list[str]:
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(str(message.id))
    return missing


def fill_english() -> None:
    path = LOCALE / "en" / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        message.flags.discard("fuzzy")
        message.previous_id = []
        if isinstance(message.id, tuple | list):
            message.string = (message.id[0], message.id[1])
        else:
            message.string = message.id
    catalog.fuzzy = False
    catalog.project, catalog.version = "Etalase", "0.1"
    catalog.copyright_holder = "Etalase"
    catalog.last_translator = catalog.language_team = "Etalase <tim@etalase.id>"
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, include_previous=False)


def main() -> int:
    if "--check" in sys.argv:
        problems = {language: incomplete(language) for language in ("id", "en")}
        for language, missing in problems.items():
            for msgid in missing:
                print(f"{language}: untranslated or fuzzy: {msgid!r}")
        return 1 if any(problems.values()) else 0
    where = ROOT / "etalase"
    extract = [*MANAGE, "makemessages", "-l", "id", "-l", "en", "--no-location", "--ignore", "*/migrations/*"]
    subprocess.run(extract, cwd=where, check=True)  # noqa: S603 - our own manage.py
    fill_english()
    compile_ = [*MANAGE, "compilemessages", "-l", "id", "-l", "en"]
    subprocess.run(compile_, cwd=where, check=True)  # noqa: S603 - our own manage.py
    missing = incomplete("id")
    if missing:
        print(f"{len(missing)} Indonesian entries still need a translation:")
        for msgid in missing:
            print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
