"""`bianmin backup PATH`: a consistent backup of the database into one file."""

from django.core.management.base import BaseCommand, CommandError

from bianmin.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库到一个文件（SQLite：在线备份；PostgreSQL：pg_dump -Fc）/ "
        "Back up the database into one file (SQLite online backup or pg_dump -Fc)"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件 / the backup file to write")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, path: str, database: str, **options):
        try:
            info = backup_create(path=path, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份 / backed up ({info.engine}) -> {info.path} "
                f"({info.size / 1024 / 1024:.1f} MiB, {info.seconds:.1f} s)"
            )
        )
