import pytest


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    # Attachments and proposals of these tests go to a temporary folder, never the worktree.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
