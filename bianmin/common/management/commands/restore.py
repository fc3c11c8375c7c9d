"""`bianmin restore PATH [--force]`: put a backup made by `bianmin backup` back."""

from django.core.management.base import BaseCommand, CommandError

from bianmin.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库；目标非空时需加 --force / "
        "Restore the database from a backup file; a non-empty target needs --force"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="`bianmin backup` 生成的文件 / the backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="覆盖已有数据 / overwrite a database that already has tables",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, path: str, force: bool, database: str, **options):
        try:
            info = backup_restore(path=path, force=force, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 / restored ({info.engine}) from {info.path} ({info.seconds:.1f} s)"
            )
        )
