"""``minzheng report``: the work report or statistical tables for a period and a region.

    minzheng report --from 2023-01-01 --to 2023-09-30 --region 340521 --format json
    minzheng report ... --format docx --output 报告.docx
    minzheng report ... --template 我的模板.docx --strict

Figures that no module computes yet are shown as 【未接入】 and listed as warnings on stderr;
with ``--strict`` they are an error (exit status 1) naming the keys. Every file written is
recorded in the audit trail (``report.export``, channel ``cli``).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.geo.models import Region
from minzheng.reports.exports import FORMATS, export_report, template_format, warnings
from minzheng.reports.selectors import build_report
from minzheng.reports.services import report_export_audit
from minzheng.reports.templating import ReportTemplateError

TEXT_FORMATS = {"json", "txt", "md"}


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD，而不是“{value}”") from exc


class Command(BaseCommand):
    help = "生成工作报告或统计表（JSON、Word、PDF、Excel、文本），或填充自己的模板"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--region", required=True, help="区划代码，统计其全部下级区域")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, help="输出格式")
        parser.add_argument("--template", type=Path, help="自己的模板（.docx、.txt 或 .md）")
        parser.add_argument("--strict", action="store_true", help="有未接入的指标时报错退出")
        parser.add_argument(
            "--output", help="输出文件；默认 JSON 和文本写到标准输出，其余写到当前目录"
        )
        parser.add_argument("--issued-on", dest="issued_on", help="成文日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args: Any, **opts: Any) -> None:
        start, end = _date(opts["start"]), _date(opts["end"])
        if start > end:
            raise CommandError(f"起始日期 {start} 晚于截止日期 {end}")
        region = Region.objects.filter(code=opts["region"]).first()
        if region is None:
            raise CommandError(f"区划代码 {opts['region']} 不存在")
        issued_on = _date(opts["issued_on"]) if opts["issued_on"] else None

        template_path: Path | None = opts["template"]
        template: bytes | None = None
        fmt = opts["fmt"] or "json"
        if template_path is not None:
            try:
                tfmt = template_format(template_path.name)
                template = template_path.read_bytes()
            except ReportTemplateError as exc:
                raise CommandError(exc.message) from exc
            except OSError as exc:
                raise CommandError(f"无法读取模板文件 {template_path}：{exc.strerror}") from exc
            if opts["fmt"] and opts["fmt"] != tfmt and not (tfmt == "md" and opts["fmt"] == "txt"):
                raise CommandError(f"模板是 .{tfmt} 文件，只能生成同类文件，不能生成 {opts['fmt']}")
            fmt = tfmt

        report = build_report(region=region, start=start, end=end)
        try:
            export = export_report(
                report,
                fmt,
                template=template,
                template_name=template_path.name if template_path else "",
                issued_on=issued_on,
            )
        except ReportTemplateError as exc:
            raise CommandError(exc.message) from exc

        missing = report.missing(export.used_keys)
        if missing and opts["strict"]:
            raise CommandError(
                f"严格模式：以下{len(missing)}项指标尚未接入，不能生成报告：" + "、".join(missing)
            )
        for line in warnings(report, export.used_keys):
            self.stderr.write(f"警告：{line}")

        output = opts["output"]
        if output is None and fmt not in TEXT_FORMATS:
            output = export.filename
        if output is None or output == "-":
            if fmt in TEXT_FORMATS:
                self.stdout.write(export.content.decode("utf-8"), ending="")
            else:
                sys.stdout.buffer.write(export.content)
                sys.stdout.buffer.flush()
        else:
            Path(output).write_bytes(export.content)
            self.stderr.write(f"已生成 {output}（{len(export.content)} 字节）")
        report_export_audit(
            actor=None,
            username="cli",
            scope=report.scope,
            export=export,
            not_connected=len(missing),
            template_name=template_path.name if template_path else "",
        )
