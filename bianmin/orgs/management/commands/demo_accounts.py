"""`bianmin demo-accounts`: print the main demo accounts and their password."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils import translation

from bianmin.orgs.demo.accounts import DEMO_PASSWORD, main_accounts


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出主要演示账号 / List the main demo accounts"

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            rows = main_accounts()
        if not rows:
            self.stdout.write(
                "没有演示账号，请先运行 bianmin seed-demo。/ No demo accounts; run bianmin seed-demo first."
            )
            return
        header = ("用户名 Username", "姓名 Name", "单位 Unit", "角色 Roles", "Roles (English)")
        table = [header] + [(r.username, r.full_name, r.unit, r.roles_zh, r.roles_en) for r in rows]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        self.stdout.write(
            f"演示账号（密码均为 {DEMO_PASSWORD}）/ Demo accounts (password: {DEMO_PASSWORD})"
        )
        for n, row in enumerate(table):
            line = "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            "另有：每个部门 dNN-staff / dNN-head，每个乡镇 tNN-staff / tNN-head，"
            "每个村 vTTVV-agent（TT 乡镇序号，VV 村序号）。\n"
            "Also: dNN-staff / dNN-head per department, tNN-staff / tNN-head per township, "
            "vTTVV-agent per village (TT township number, VV village number)."
        )
