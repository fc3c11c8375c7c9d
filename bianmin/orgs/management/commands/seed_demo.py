"""`bianmin seed-demo`: load the demo county (汉中市汉台区) into an empty database."""

import time

from django.core.management.base import BaseCommand, CommandError

from bianmin.orgs.demo import DEFAULT_SEED, build_demo
from bianmin.orgs.models import Region

SCALES = ("county",)


class Command(BaseCommand):
    help = "载入演示县区（汉中市汉台区）/ Load the demo county (Hanzhong, Hantai District)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="随机种子：相同种子生成相同数据 / same seed, same data (default %(default)s)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有区划时什么也不做 / do nothing when a region already exists",
        )
        parser.add_argument(
            "--scale",
            default="county",
            help="数据规模，目前仅支持 county / data size; only 'county' exists now",
        )

    def handle(self, *args, seed: int, if_empty: bool, scale: str, **options):
        if scale not in SCALES:
            raise CommandError(
                f"规模 “{scale}” 尚未提供，目前只能生成一个县区（--scale county）。\n"
                f"Scale '{scale}' is not available yet; only --scale county is."
            )
        if Region.objects.exists():
            if if_empty:
                self.stdout.write(
                    "数据库已有区划数据，跳过演示数据。/ The database already has regions; "
                    "demo data not loaded."
                )
                return
            raise CommandError(
                "数据库已有区划数据，演示数据只能载入空数据库（或加 --if-empty 跳过）。\n"
                "The database already has regions; the demo loads only into an empty one "
                "(use --if-empty to skip)."
            )
        started = time.monotonic()
        demo = build_demo(seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示县区 {demo.county.name}（种子 {seed}，用时 "
                f"{time.monotonic() - started:.1f} 秒）/ demo county built (seed {seed})"
            )
        )
        rows = [
            ("乡镇(街道) townships", len(demo.townships)),
            ("村(社区) villages and communities", demo.villages),
            ("部门 departments", len(demo.departments)),
            ("工作人员 staff accounts", len(demo.staff)),
            ("事项 items", demo.items),
            ("其中村级可代办 village-proxyable", demo.proxy_items),
        ]
        for label, n in rows:
            self.stdout.write(f"  {label}: {n}")
        self.stdout.write("演示账号见 bianmin demo-accounts / accounts: bianmin demo-accounts")
