"""`bianmin workflow-doc`: write docs/cases.md and docs/workflows.md from the transition tables."""

from django.core.management.base import BaseCommand
from django.utils import translation

from bianmin.cases.docgen import PAGES


class Command(BaseCommand):
    help = (
        "Write docs/cases.md (the case state diagram and transition table) and docs/workflows.md "
        "(every other registered workflow) from the apps' workflow.py"
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if a file is out of date")

    def handle(self, *args, check=False, **options):
        with translation.override("zh-hans"):
            texts = {path: render() for path, render in PAGES.items()}
        for path, text in texts.items():
            if check:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    self.stderr.write(
                        f"docs/{path.name} is out of date: run `bianmin workflow-doc`"
                    )
                    raise SystemExit(1)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {path}")
