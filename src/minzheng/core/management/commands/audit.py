from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.core import audit


class Command(BaseCommand):
    help = "Audit trail tools: `audit verify` recomputes the SM3 hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit.verify()
        if not report.ok:
            raise CommandError(
                f"审计日志校验失败：{report.reason}（已核对 {report.checked} 条，问题从第 {report.first_bad_seq} 条起）"
            )
        self.stdout.write(f"审计日志完整：已核对 {report.checked} 条，哈希链无断裂。")
