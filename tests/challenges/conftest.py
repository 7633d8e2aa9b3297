import pytest


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    # Attachments and proposals of these tests go to a temporary folder, never the worktree.
    settings.BOJU_PRIVATE_ROOT = str(tmp_path / "private")
