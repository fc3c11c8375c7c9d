"""`bianmin audit verify`: re-hash every case's timeline and name the cases whose chain is broken."""

from django.core.management.base import BaseCommand

from bianmin.cases.chain import chains_verify


class Command(BaseCommand):
    help = "Audit tools. `verify` checks every case's hash-chained timeline; exit code 1 if broken."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="re-hash every case's event chain")

    def handle(self, *args, subcommand=None, **options):
        if subcommand == "verify":
            broken = chains_verify()
            for number in broken:
                self.stdout.write(f"BROKEN {number}")
            if broken:
                self.stderr.write(f"{len(broken)} case timeline(s) fail verification")
                raise SystemExit(1)
            self.stdout.write("OK: every case timeline verifies")
