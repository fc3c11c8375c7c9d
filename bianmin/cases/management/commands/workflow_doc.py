"""`bianmin workflow-doc`: write docs/cases.md from the transition table."""

from django.core.management.base import BaseCommand
from django.utils import translation

from bianmin.cases.docgen import DOC_PATH, render


class Command(BaseCommand):
    help = "Write docs/cases.md (state diagram and transition table) from bianmin/cases/workflow.py"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the file is out of date")

    def handle(self, *args, check=False, **options):
        with translation.override("zh-hans"):
            text = render()
        if check:
            if not DOC_PATH.exists() or DOC_PATH.read_text(encoding="utf-8") != text:
                self.stderr.write("docs/cases.md is out of date: run `bianmin workflow-doc`")
                raise SystemExit(1)
            return
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {DOC_PATH}")
