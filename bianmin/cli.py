"""The `bianmin` console script: Django's management commands with our names.

`bianmin seed-demo` runs the `seed_demo` command; hyphens are the operator's spelling.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "bianmin"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
