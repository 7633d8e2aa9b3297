"""File storage that never leaves a truncated file, and the private store for CVs.

AtomicFileSystemStorage writes an upload to a temporary name in the target folder, fsyncs it,
then renames it into place (and fsyncs the folder): a failure part-way (the client vanished, the
disk filled, the worker was killed) leaves either no file or the whole file, never a truncated
one under the real name. Django's FileSystemStorage writes straight to the final name.

PrivateStorage keeps CVs outside MEDIA_ROOT (settings.PRIVATE_MEDIA_ROOT), so no web server
configuration can ever serve them; they leave only through views that check permission. Their
names are random (cv/<32 hex>.pdf); the original file name is kept only in the database.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.utils import validate_file_name


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        validate_file_name(name, allow_relative_path=True)
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        # Temporary files start with "." so a listing or a backup shows they are not real.
        temporary = os.path.join(directory, f".upload-{uuid.uuid4().hex}.part")
        try:
            with open(temporary, "wb") as handle:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            while True:
                try:
                    # link + unlink refuses to overwrite an existing name (as Django's O_EXCL does).
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
        _fsync_directory(directory)
        return str(name).replace("\\", "/")


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class PrivateStorage(AtomicFileSystemStorage):
    """settings.PRIVATE_MEDIA_ROOT, read when used (tests move it); no URL into it."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        # Never a path into the store: the one page that shows a link (the owner's profile form)
        # gets the download view, which serves the signed-in person's own CV only.
        from django.urls import reverse

        return reverse("accounts:cv")


private_storage = PrivateStorage()
public_storage = AtomicFileSystemStorage()


def get_private_storage():
    return private_storage


def cv_upload_to(instance, filename: str) -> str:
    """A random name: nothing of the person or the original file name on disk."""
    return f"cv/{uuid.uuid4().hex}.pdf"
