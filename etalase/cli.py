"""The ``etalase`` console script: Django's management commands under friendlier names.

etalase demo        migrate, load the demo data, start the server and the task worker
etalase seed-demo   (re)load the demo data only
etalase serve       the ASGI web server
etalase worker      the task worker
etalase <command>   any other management command (migrate, createsuperuser, ...)
"""

import os
import sys

ALIASES = {"seed-demo": "seed_demo"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    argv[0] = "etalase"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
