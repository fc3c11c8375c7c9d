from django.core.management.base import BaseCommand

from bianmin.catalog.importexport import catalog_export, catalog_versions


class Command(BaseCommand):
    help = "Write the whole service catalog to an Excel workbook (bianmin catalog-export PATH)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx file to write")
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="only the published versions (default: each item's newest version, drafts too)",
        )

    def handle(self, *args, path, published_only, **options):
        catalog_export(target=path, published_only=published_only)
        n = len(catalog_versions(published_only=published_only))
        self.stdout.write(self.style.SUCCESS(f"已导出 {n} 个事项到 {path}"))
