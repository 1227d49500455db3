from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minzheng.accounts.models import User
from minzheng.assistance.models import Application
from minzheng.core import jobs
from minzheng.core.models import JobProgress
from minzheng.demo import history
from minzheng.demo.services import ensure_demo_accounts
from minzheng.demo.tasks import KIND as HISTORY_KIND
from minzheng.demo.tasks import history_message
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
        parser.add_argument(
            "--history",
            choices=["background", "now", "none"],
            default=os.environ.get("MINZHENG_DEMO_HISTORY", "background"),
            help=(
                "the assistance history since 2023 (applications through the workflow, monthly "
                "payrolls): as a background job for the worker (default), now, or none"
            ),
        )

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
        self._history(options)
        if options["quiet"]:
            return
        self.stdout.write("\n演示账号（密码保存在 var/demo-logins.json）:")
        for e in logins:
            line = f"  {e['username']:<14} {e['password']:<18} {e['role']}（{e['region']}）"
            if "totp_secret" in e:
                line += f"  动态口令密钥 {e['totp_secret']}"
            self.stdout.write(line)

    def _history(self, options: dict[str, Any]) -> None:
        """Simulate the history once. A job cut short (the demo stopped while the worker was
        at it) is taken on by a new job: the simulation skips what it already made. A
        database that has applications but never had a history job is left alone."""
        mode = options["history"]
        if mode == "none" or not Person.objects.exists():
            return
        jobs_so_far = JobProgress.objects.filter(kind=HISTORY_KIND)
        if jobs_so_far.filter(status=JobProgress.Status.DONE).exists():
            return
        if not jobs_so_far.exists() and Application.objects.exists():
            return
        if jobs_so_far.filter(status=JobProgress.Status.QUEUED).exists():
            self.stdout.write("救助业务历史已在后台任务队列中（见“后台任务”页面）")
            return
        # no worker runs while this command does (dev.py starts it afterwards): a job still
        # marked running was cut short
        for job in jobs_so_far.filter(status=JobProgress.Status.RUNNING):
            jobs.fail(job.pk, "演示程序停止时任务被中断，已由新的任务接续")
        if mode == "now":
            self.stdout.write("模拟 2023 年以来的救助申请、审批和每月发放…")

            def progress(done: int, total: int, message: str) -> None:
                if done % 200 == 0 or done == total:
                    self.stdout.write(f"  {done}/{total} {message}")

            result = history.simulate_history(seed=options["seed"], progress=progress)
            self.stdout.write(f"完成：{history_message(result)}，用时 {result.seconds:.0f} 秒")
            return
        owner = User.objects.filter(username="xian_admin").first()
        jobs.job_start(
            kind=HISTORY_KIND,
            title="生成演示县 2023 年以来的救助业务历史",
            owner=owner,
            region_code="340521",
            params={"county": "340521", "seed": options["seed"]},
        )
        self.stdout.write(
            "救助业务历史（2023 年以来的申请、审批和每月发放）将由后台任务生成，"
            "约需数分钟；以 xian_admin 登录可在“后台任务”页面查看进度"
        )
