"""Uploads are atomic (no truncated file after a failure part-way), and CVs live outside any
served folder under random names."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import CandidateProfile
from accounts.storage import AtomicFileSystemStorage, PrivateStorage

from ..factories import candidate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "full_name": "王海",
    "phone": "138 0532 1234",
    "degree": "phd",
    "postdoc_status": "in_station",
    "institution": "中国海洋大学",
    "discipline": "0707",
    "research_field": "海洋声学",
    "graduation_year": "2023",
    "consent_share": "on",
}


class BrokenUpload(File):
    """A client that vanishes after the first 64 KB."""

    def __init__(self):
        super().__init__(None, name="big.pdf")
        self.size = 10 * 64 * 1024

    def chunks(self, chunk_size=None):
        yield b"%PDF" + b"0" * (64 * 1024 - 4)
        raise OSError("connection reset by peer")

    def seek(self, position):
        pass


@pytest.mark.parametrize("storage_class", [AtomicFileSystemStorage, PrivateStorage])
def test_a_failed_upload_leaves_no_file_at_all(storage_class, tmp_path, settings):
    # Catches: FileSystemStorage wrote straight to the final name; a failure part-way left a
    # truncated file that the next reader took for the real one.
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    storage = storage_class(location=tmp_path) if storage_class is AtomicFileSystemStorage else storage_class()
    with pytest.raises(OSError):
        storage.save("cv/big.pdf", BrokenUpload())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_completed_upload_is_whole_and_never_overwrites(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("logos/a.png", ContentFile(b"one"))
    second = storage.save("logos/a.png", ContentFile(b"two"))
    assert first == "logos/a.png" and second != first
    assert (tmp_path / first).read_bytes() == b"one" and (tmp_path / second).read_bytes() == b"two"
    assert not list(tmp_path.rglob(".upload-*"))


def test_default_storage_and_the_cv_field_use_the_atomic_storages():
    from django.core.files.storage import default_storage

    assert isinstance(default_storage, AtomicFileSystemStorage)  # logos, hall plans
    assert isinstance(CandidateProfile._meta.get_field("cv").storage, PrivateStorage)


def test_the_private_root_is_outside_media_and_static():
    private = Path(django_settings.PRIVATE_MEDIA_ROOT).resolve()
    for served in (django_settings.MEDIA_ROOT, django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS):
        served = Path(served).resolve()
        assert served != private and served not in private.parents and private not in served.parents


@pytest.mark.django_db
def test_a_cv_is_stored_privately_under_a_random_name(client, settings, tmp_path):
    # Catches: CVs were stored under MEDIA_ROOT as cv/<year>/<month>/<the uploaded file name>.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    person = candidate()
    client.force_login(person)
    client.post("/me/profile/", {**FORM, "cv": SimpleUploadedFile("王海-简历-13805321234.pdf", PDF)})
    profile = CandidateProfile.objects.get(user=person)
    assert profile.cv_name == "王海-简历-13805321234.pdf"
    assert profile.cv.name.startswith("cv/") and "王海" not in profile.cv.name and "138" not in profile.cv.name
    assert (tmp_path / "private" / profile.cv.name).read_bytes() == PDF
    assert not (tmp_path / "media").exists() or not list((tmp_path / "media").rglob("*.pdf"))
    assert client.get(f"/media/{profile.cv.name}").status_code == 404
