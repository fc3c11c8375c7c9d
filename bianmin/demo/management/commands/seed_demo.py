"""`bianmin seed-demo`: load the demo county (汉中市汉台区) into an empty database, optionally with
a case history at county or city scale (`bianmin.demo.scale`)."""

import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bianmin.demo.builder import DEFAULT_SEED, build_demo
from bianmin.orgs.models import Region
from bianmin.workdays.calendar import is_workday

# Scale: (extra counties beside the demo county, cases over three years). A county of about
# 500,000 people makes about 500,000 cases a year (issue 17): three years of one real county.
SCALES = {"county": (0, 1_500_000), "city": (9, 2_000_000)}


def _city_available() -> bool:
    from importlib.util import find_spec

    return find_spec("bianmin.demo.city") is not None


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
            default=None,
            help="数据规模：county（约150万件办件，三年）或 city（10个县区、约200万件）/ "
            "data size: county (~1.5 million cases over three years) or city (10 counties, "
            "~2 million cases); "
            "without it only the county, its staff and catalog are loaded",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help="生成的办件数（覆盖规模默认值）；数据库已有演示县区时只追加办件 / number of "
            "cases to generate (overrides the scale's); on a database that already holds the "
            "demo data only the cases are added",
        )
        parser.add_argument(
            "--until",
            type=dt.date.fromisoformat,
            default=None,
            help="办件历史截止日期（默认今天），相同种子和截止日期生成相同数据 / last day of the "
            "history (default today); same seed and day, same data",
        )
        parser.add_argument(
            "--years",
            type=float,
            default=3,
            help="办件历史年数（默认3；0.4 约五个月）/ history length in years (default 3; a "
            "fraction for part of a year: 0.4 is about five months)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="生成办件的进程数（按每1000件一块分配，数据与进程数无关）/ processes generating "
            "the cases, each taking a share of the blocks of 1,000 cases; the data do not depend "
            "on it (default 1; use 2 for --scale county or city on a 2-core machine)",
        )

    def handle(self, *args, seed, if_empty, scale, cases, until, years, workers, **options):
        if scale is not None and scale not in SCALES:
            raise CommandError(
                f"规模 “{scale}” 不存在，可选 --scale county（一个县区约150万件办件）或 "
                f"--scale city（10个县区约200万件）。\n"
                f"Scale '{scale}' does not exist; use --scale county or --scale city."
            )
        extra_counties, default_cases = SCALES.get(scale, (0, 0))
        if extra_counties and not _city_available():
            raise CommandError(
                "--scale city 需要的其余县区生成器尚未提供 / the other counties of --scale city "
                "are not available yet; use --scale county"
            )
        n_cases = default_cases if cases is None else cases
        if n_cases < 0:
            raise CommandError("--cases 不能为负数 / --cases must not be negative")
        if years <= 0:
            raise CommandError("--years 必须大于0 / --years must be greater than 0")
        if workers < 1:
            raise CommandError("--workers 至少为 1 / --workers must be at least 1")
        started = time.monotonic()
        if Region.objects.exists():
            if if_empty:
                self.stdout.write(
                    "数据库已有区划数据，跳过演示数据。/ The database already has regions; "
                    "demo data not loaded."
                )
                return
            if cases is None:
                raise CommandError(
                    "数据库已有区划数据，演示数据只能载入空数据库（或加 --if-empty 跳过；加 --cases N "
                    "只追加办件）。\nThe database already has regions; the demo loads only into an "
                    "empty one (use --if-empty to skip, or --cases N to add cases only)."
                )
        else:
            self._county(seed)
            if extra_counties:
                from bianmin.demo.city import build_city

                t = time.monotonic()
                made = build_city(seed=seed, counties=extra_counties)
                self.stdout.write(
                    f"  另建 {len(made)} 个县区 / {len(made)} more counties "
                    f"({time.monotonic() - t:.1f} s)"
                )
        if n_cases:
            self._cases(seed=seed, cases=n_cases, until=until, years=years, workers=workers)
        self._daily_jobs()
        self.stdout.write(f"用时 / took {time.monotonic() - started:.1f} s")

    def _daily_jobs(self) -> None:
        """The daily jobs once, so the first page already shows alerts, the 督办 queue and
        notifications. On the last working day up to today: the supervision sweep rests on
        holidays, and a demo loaded on a Sunday should not look unsupervised."""
        day = timezone.localdate()
        while not is_workday(day)[0]:
            day -= dt.timedelta(days=1)
        self.stdout.write(f"每日任务 / daily jobs ({day}):")
        call_command("daily_jobs", date=day.isoformat(), stdout=self.stdout)

    def _county(self, seed: int) -> None:
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

    def _cases(self, *, seed: int, cases: int, until, years: float, workers: int = 1) -> None:
        from bianmin.demo.scale import build_cases

        def progress(done, total, seconds):
            self.stdout.write(f"  {done:,}/{total:,} cases, {seconds:.0f} s")

        result = build_cases(
            seed=seed, cases=cases, until=until, years=years, progress=progress, workers=workers
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成办件 {result.cases:,} 件（{result.rows:,} 行，用时 {result.seconds:.1f} 秒）"
                f"/ {result.cases:,} cases, {result.rows:,} rows, "
                f"{result.cases / max(result.seconds, 0.001):,.0f} cases/s"
            )
        )
        for state, n in sorted(result.states.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {state}: {n:,}")
