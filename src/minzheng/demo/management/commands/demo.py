from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minzheng.demo.services import ensure_demo_accounts
from minzheng.registry.generator import generate_county
from minzheng.registry.models import Person


class Command(BaseCommand):
    help = (
        "Load the demo county (当涂县): staff accounts for every role and, when the registry is "
        "empty, a synthetic population; print the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--persons",
            type=int,
            default=int(os.environ.get("MINZHENG_DEMO_PERSONS", "50000")),
            help="size of the synthetic population (default 50000; 0 for none)",
        )
        parser.add_argument("--seed", type=int, default=340521)

    def handle(self, *args: Any, **options: Any) -> None:
        logins = ensure_demo_accounts()
        if options["persons"] and not Person.objects.exists():
            self.stdout.write(f"生成演示人口 {options['persons']} 人（合成数据，非真实个人信息）…")
            step = max(options["persons"] // 10, 1)
            shown = [0]

            def progress(done: int, total: int) -> None:
                if done - shown[0] >= step or done == total:
                    shown[0] = done
                    self.stdout.write(f"  {done}/{total}")

            result = generate_county(options["persons"], options["seed"], progress)
            self.stdout.write(
                f"完成：{result.persons} 人，{result.households} 户，用时 {result.seconds:.0f} 秒"
            )
        if options["quiet"]:
            return
        self.stdout.write("\n演示账号（密码保存在 var/demo-logins.json）:")
        for e in logins:
            line = f"  {e['username']:<14} {e['password']:<18} {e['role']}（{e['region']}）"
            if "totp_secret" in e:
                line += f"  动态口令密钥 {e['totp_secret']}"
            self.stdout.write(line)
