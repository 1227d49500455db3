"""The ``minzheng`` command: Django's management commands under one name.

``minzheng serve`` runs the production WSGI server, ``minzheng worker`` the task worker,
``minzheng audit verify`` checks the audit chain; every Django command works too
(``minzheng migrate``, ``minzheng createadmin`` …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["minzheng", *argv])
    args[0] = "minzheng"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
