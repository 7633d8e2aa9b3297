"""manage.py backup DIR — a consistent backup of the database and the uploads (operations/backup.py)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's online backup) and all uploaded files into DIR/boju-<time>/."

    def add_arguments(self, parser):
        parser.add_argument("target", help="folder that receives the backup folder")

    def handle(self, *args, target: str, **options):
        try:
            manifest = backup_create(target=Path(target))
        except BackupError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            json.dumps(
                {
                    "folder": manifest["folder"],
                    "tables": len(manifest["tables"]),
                    "rows": sum(manifest["tables"].values()),
                    "files": len(manifest["files"]),
                }
            )
        )
