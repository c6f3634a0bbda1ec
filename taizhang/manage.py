"""The `taizhang` console script: Django's manage.py under the project's name."""

import os
import sys


def command_argv(argv: list[str]) -> list[str]:
    """Accept `taizhang bench-data` for the `bench_data` command: a command is a Python
    module, whose name cannot contain a dash, but dashed names are what people type."""
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return argv


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_argv(sys.argv))


if __name__ == "__main__":
    main()
