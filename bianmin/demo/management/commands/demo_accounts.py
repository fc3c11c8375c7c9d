"""`bianmin demo-accounts`: print the main demo accounts and their password; with `--enrol-2fa`,
turn on two-factor login for them and print what an authenticator app needs."""

import os
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import translation

from bianmin.demo.accounts import DEMO_PASSWORD, main_accounts
from bianmin.orgs import twofactor

SECRETS_FILE = "demo-2fa.txt"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出主要演示账号 / List the main demo accounts"

    def add_arguments(self, parser):
        parser.add_argument(
            "--enrol-2fa",
            action="store_true",
            help="为主要演示账号开启两步验证，密钥和恢复码写入 var/demo-2fa.txt / "
            "Enrol the main demo accounts in two-factor login; secrets and recovery codes go to "
            "var/demo-2fa.txt",
        )

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
        if options["enrol_2fa"]:
            self._enrol([r.username for r in rows])
        else:
            self.stdout.write(
                "演示两步验证：bianmin demo-accounts --enrol-2fa / "
                "To show two-factor login: bianmin demo-accounts --enrol-2fa"
            )

    def _enrol(self, usernames: list[str]) -> None:
        """Enrol through the same confirmation a person makes (a first code from the secret),
        keeping accounts already enrolled as they are, so a phone set up earlier still works."""
        users = get_user_model().objects.filter(username__in=usernames)
        enrolled = [
            (user.username, twofactor.demo_enrolment(user=user))
            for user in sorted(users, key=lambda u: usernames.index(u.username))
        ]
        path = settings.VAR_DIR / SECRETS_FILE
        # Created private: the file holds second factors.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(
                "# 用户名 username\t密钥 TOTP secret (base32)\t恢复码 recovery codes\totpauth URL\n"
            )
            for username, e in enrolled:
                f.write(f"{username}\t{e.secret}\t{' '.join(e.recovery_codes)}\t{e.url}\n")
        self.stdout.write(
            f"\n已为 {len(enrolled)} 个账号开启两步验证；在验证器应用中手动输入密钥（或用 otpauth 链接），"
            f"恢复码见 {path}。\n"
            f"Two-factor login is on for {len(enrolled)} accounts; type the secret into an "
            f"authenticator app (or use the otpauth URL); recovery codes are in {path}."
        )
        for username, e in enrolled:
            self.stdout.write(f"{username:<14}{e.secret}")
