"""Where uploads live: public media (photos, logos, covers) and private files (proofs, contact imports).

Private files sit in their own root outside ``MEDIA_ROOT`` (``PRIVATE_MEDIA_ROOT``), registered as the
``"private"`` storage. They have no URL at all: only a view that checks who asks hands one out.
"""

import filecmp
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

logger = logging.getLogger(__name__)


class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``, never reachable by a URL.

    The root is read from the settings at each use (not cached), so a test that moves it is heard.
    """

    def __init__(self, location: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)
        self._private_location = location

    @property
    def base_location(self) -> str:
        return str(self._private_location or settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("A private file has no URL: serve it through a view that checks who asks.")


def private_storage() -> Storage:
    """The ``"private"`` storage (a callable, so a model field names it without fixing it at import)."""
    return storages["private"]


def private_files_move(folder: str) -> int:
    """Move ``MEDIA_ROOT/<folder>`` into ``PRIVATE_MEDIA_ROOT/<folder>``, keeping each file's name.

    Names stored in the database are relative, so they stay valid. Safe to run again: a file already
    in the private root is left alone, and its public copy removed when both are the same bytes (a
    different file of the same name stays where it is, logged, for someone to look at). Returns how
    many files left the public root.
    """
    source_root = Path(settings.MEDIA_ROOT) / folder
    target_root = Path(settings.PRIVATE_MEDIA_ROOT) / folder
    if not source_root.is_dir():
        return 0
    moved = 0
    for source in sorted(path for path in source_root.rglob("*") if path.is_file() or path.is_symlink()):
        target = target_root / source.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            if filecmp.cmp(source, target, shallow=False):
                source.unlink()
                moved += 1
            else:
                logger.warning("%s and %s differ; the public one is left where it is", source, target)
            continue
        shutil.move(source, target)
        moved += 1
    for directory in sorted((path for path in source_root.rglob("*") if path.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    if not any(source_root.iterdir()):
        source_root.rmdir()
    if moved:
        logger.info("Moved %s private files from %s to %s", moved, source_root, target_root)
    return moved
