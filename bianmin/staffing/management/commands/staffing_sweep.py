"""`bianmin staffing_sweep`: start and end the AB cover of leaves (run daily)."""

from django.core.management.base import BaseCommand

from bianmin.staffing.services import leaves_sweep


class Command(BaseCommand):
    help = "请假期间AB岗交接：开始已生效的请假、结束已到期的请假 / start and end AB cover"

    def handle(self, *args, **options):
        result = leaves_sweep()
        self.stdout.write(
            f"handed over {result['handed_over']} case(s), handed back {result['handed_back']}"
        )
