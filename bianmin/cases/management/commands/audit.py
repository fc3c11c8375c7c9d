"""`bianmin audit verify`: re-hash every case's timeline, check that it ends at the tail the case
records, and name the cases that fail with the reason."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bianmin.cases.chain import chains_verify


class Command(BaseCommand):
    help = (
        "Audit tools. `verify` checks every case's hash-chained timeline and its recorded last "
        "event; exit code 1 if any fails."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="re-hash every case's event chain and check its tail")

    def handle(self, *args, subcommand=None, **options):
        if subcommand == "verify":
            faults = chains_verify()
            # OK / BROKEN stay untranslated, for scripts that read the output.
            for fault in faults:
                self.stdout.write(f"BROKEN {fault.number} {fault.message()}")
            if faults:
                self.stderr.write(
                    ngettext(
                        "%(n)s 个办件的时间线未通过校验",
                        "%(n)s 个办件的时间线未通过校验",
                        len(faults),
                    )
                    % {"n": len(faults)}
                )
                raise SystemExit(1)
            self.stdout.write("OK " + _("所有办件的时间线均校验通过"))
