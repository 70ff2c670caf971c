"""Browser test helpers: where screenshots for people to look at are saved."""

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
