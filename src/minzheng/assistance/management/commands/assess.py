from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minzheng.assistance.engine import assess
from minzheng.assistance.schema import dumps


class Command(BaseCommand):
    help = (
        "Assess one application described in a JSON file (`-` for standard input) and print the "
        "decision as JSON. Exit status 1 when the input is invalid; the error JSON names the field."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the application as JSON (see docs/assess/)")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["file"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            self._fail({"field": "(文件)", "message": f"无法读取 {source}：{exc.strerror}"})
            return
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            self._fail(
                {"field": "(根)", "message": f"不是有效的 JSON：第{exc.lineno}行第{exc.colno}列"}
            )
            return
        result = assess(payload)
        self.stdout.write(dumps(result), ending="")
        if not result["ok"]:
            sys.exit(1)

    def _fail(self, error: dict[str, str]) -> None:
        self.stdout.write(dumps({"ok": False, "errors": [error]}), ending="")
        sys.exit(1)
