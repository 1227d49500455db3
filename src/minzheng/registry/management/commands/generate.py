"""``minzheng generate --persons N --seed S``: write a synthetic 当涂县 into an empty registry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.core.exceptions import DomainError
from minzheng.registry.generator import generate_county
from minzheng.registry.models import Person


class Command(BaseCommand):
    help = "Generate a synthetic county population (synthetic data only) into an empty registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="reference date for ages (YYYY-MM-DD, default today)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the registry already has persons",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Person.objects.exists():
            self.stdout.write("档案中已有人员，跳过合成数据生成。")
            return
        last = [-1]

        def progress(done: int, total: int) -> None:
            pct = done * 100 // max(total, 1)
            if pct // 10 != last[0] // 10 or done == total:
                last[0] = pct
                self.stdout.write(f"  {done}/{total} 人（{pct}%）")

        try:
            result = generate_county(
                options["persons"], options["seed"], progress, as_of=options["as_of"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"已生成 {result.persons} 人、{result.households} 户，用时 {result.seconds:.1f} 秒。"
        )
