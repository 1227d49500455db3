from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minzheng.demo.services import ensure_demo_accounts


class Command(BaseCommand):
    help = "Load the demo county (当涂县) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = ensure_demo_accounts()
        if options["quiet"]:
            return
        self.stdout.write("\n演示账号（密码保存在 var/demo-logins.json）:")
        for e in logins:
            line = f"  {e['username']:<14} {e['password']:<18} {e['role']}（{e['region']}）"
            if "totp_secret" in e:
                line += f"  动态口令密钥 {e['totp_secret']}"
            self.stdout.write(line)
