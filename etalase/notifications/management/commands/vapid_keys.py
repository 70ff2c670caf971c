"""``etalase vapid_keys``: make the key pair that signs web push (VAPID) and print it as env lines."""

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def vapid_keys_generate() -> tuple[str, str]:
    """A new P-256 key pair: (public key, private key), both raw and base64url, as browsers and
    pywebpush take them."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid
    from py_vapid.utils import b64urlencode

    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return b64urlencode(public), b64urlencode(private)


class Command(BaseCommand):
    help = "Generate a VAPID key pair for web push and print VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--subject",
            default=os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost"),
            help="Contact for push services: mailto:you@example.com or https://your.site.",
        )
        parser.add_argument(
            "--write",
            action="store_true",
            help="Also save them to <data dir>/vapid.json, which development settings read when the env is empty.",
        )
        parser.add_argument("--force", action="store_true", help="With --write, replace an existing key file.")

    def handle(self, *args: Any, **options: Any) -> None:
        subject = options["subject"]
        if not subject.startswith(("mailto:", "https://")):
            raise CommandError("--subject must start with mailto: or https://")
        public, private = vapid_keys_generate()
        lines = {"VAPID_PUBLIC_KEY": public, "VAPID_PRIVATE_KEY": private, "VAPID_SUBJECT": subject}
        for name, value in lines.items():
            self.stdout.write(f"{name}={value}")
        if options["write"]:
            path = Path(getattr(settings, "DATA_DIR", Path("var"))) / "vapid.json"
            if path.exists() and not options["force"]:
                raise CommandError(
                    f"{path} exists; pass --force to replace it (existing subscriptions will stop working)."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(lines, indent=2) + "\n")
            path.chmod(0o600)
            self.stderr.write(f"Written to {path}")
