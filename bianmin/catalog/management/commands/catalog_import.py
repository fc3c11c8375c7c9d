from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bianmin.catalog.importexport import RowError, catalog_import
from bianmin.common.errors import ValidationFailed


class Command(BaseCommand):
    help = (
        "Import the service catalog from an Excel workbook (bianmin catalog-import PATH). "
        "Every row is checked first; if any is broken nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx file to read")
        parser.add_argument(
            "--publish", action="store_true", help="publish the new versions at once"
        )
        parser.add_argument("--actor", help="username recorded as publisher")

    def handle(self, *args, path, publish, actor, **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"未找到用户：{actor}")
        try:
            result = catalog_import(source=path, actor=user, publish=publish)
        except ValidationFailed as exc:
            for e in exc.extra.get("errors", []):
                self.stderr.write(str(RowError(**e)))
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"新建版本 {len(result.created)} 个，发布 {len(result.published)} 个，"
                f"未变化 {len(result.unchanged)} 个"
            )
        )
