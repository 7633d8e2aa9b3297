"""Private storage for challenge attachments and proposals: outside the served media folder,
under random names. No URL exists for these files; views stream them after checking who asks."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def private_root() -> Path:
    # PRIVATE_MEDIA_ROOT (DJANGO_PRIVATE_MEDIA_ROOT): the uploads no web server serves, backed up
    # with the media (operations/backup.py). Read at each use, so tests can point it at a tmp dir.
    return Path(settings.PRIVATE_MEDIA_ROOT) / "challenges"


@deconstructible
class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(private_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):  # never a public address
        raise ValueError("challenge files are private: serve them through a view")


private_storage = PrivateStorage()


def private_upload_to(instance, filename: str) -> str:
    # The uploader's file name is kept in the row (for the download), never in the path.
    return f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.pdf"
