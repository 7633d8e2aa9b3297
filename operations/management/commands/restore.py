"""manage.py restore DIR — put a backup back and check it against its manifest."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup` into the configured database (best a new, "
        "empty one) and the upload folders, then compare row counts and file checksums with the manifest. "
        "Exits with an error if anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup folder (boju-<time>)")
        parser.add_argument("--yes", action="store_true", help="do not ask before overwriting")

    def handle(self, *args, source: str, yes: bool, **options):
        if not yes and input("This overwrites the configured database and upload folders. Type yes: ") != "yes":
            raise CommandError("not confirmed")
        try:
            report = backup_restore(source=Path(source))
        except BackupError as error:
            raise CommandError(error.message) from error
        self.stdout.write(json.dumps(report))
        if not report["ok"]:
            raise CommandError("the restored data differs from the backup's manifest")
