"""Return files as a bank would send them, built from a run's posted lines."""

from __future__ import annotations

import csv
import io

from minzheng.payments.models import PaymentLine


def return_csv(
    run, failures: dict[int, str] | None = None, *, only: list[int] | None = None
) -> bytes:
    """A generic-layout return file: every posted line of ``run`` (or ``only`` those line
    ids), "成功" unless its id is in ``failures`` (id → the bank's reason)."""
    failures = failures or {}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["业务流水号", "户名", "金额（元）", "处理结果", "失败原因"])
    lines = PaymentLine.objects.filter(run=run).order_by("id")
    if only is not None:
        lines = lines.filter(pk__in=only)
    for ln in lines:
        failed = ln.pk in failures
        w.writerow(
            [
                ln.ref,
                "",
                f"{ln.amount_fen / 100:.2f}",
                "失败" if failed else "成功",
                failures.get(ln.pk, ""),
            ]
        )
    return buf.getvalue().encode("utf-8-sig")
