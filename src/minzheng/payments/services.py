"""Payments writes: payroll runs and their states, the ledger, bank files and returns,
exceptions, payee accounts, back-pay after a raised standard, and recovery decisions.

Every function is keyword-only, runs in a transaction and writes its audit event in it;
refusals raise ``DomainError`` with a Chinese message. The ledger is only ever appended to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import region_allowed, require_perm
from minzheng.assistance.models import ONE_OFF, RECOGNITION_ONLY, Enrollment, Programme
from minzheng.core import audit
from minzheng.core.exceptions import DomainError, PermissionDeniedError
from minzheng.geo.models import Region
from minzheng.registry.models import Person

from . import bankfiles, payroll
from .models import (
    BackPayItem,
    BankLayout,
    LedgerEntry,
    PayeeAccount,
    PaymentException,
    PaymentLine,
    PaymentRun,
    RecoveryDecision,
    StandardChange,
)
from .payroll import month_start

S = PaymentRun.Status
L = PaymentLine.Status
LIVE = (L.PENDING, L.POSTED, L.PAID)
PAYABLE = {str(p) for p in Programme} - {str(p) for p in RECOGNITION_ONLY | ONE_OFF} | {
    str(p) for p in payroll.PAID_ONE_OFF
}
GENERATE_KIND = "payments.generate"


# --- runs: start and generate -----------------------------------------------------------------


@dataclass(frozen=True)
class RunStart:
    run: PaymentRun
    created: bool
    message: str


def _existing_message(run: PaymentRun) -> str:
    who = run.prepared_by.full_name or run.prepared_by.username
    when = timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"{run.month:%Y年%m月}{run.programme_label}（{run.region.name}）的发放批次已由{who}"
        f"于{when}发起（{run.get_status_display()}），本次未新增任何发放记录"
    )


def payroll_run_start(*, actor: User, programme: str, month: date, region: Region) -> RunStart:
    """Open the run for ``programme`` ("" = all), ``month`` and ``region`` and start its
    generation in the background. The same scope again — also from a second user at the same
    moment — returns the existing run and says so: the unique index on the scope decides."""
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    if programme and programme not in PAYABLE:
        raise DomainError("该项目不按月发放，不能生成发放批次", field="programme")
    if not region_allowed(actor, region.code):
        raise PermissionDeniedError("只能为本辖区生成发放批次")
    if region.level not in (Region.Level.COUNTY, Region.Level.TOWN, Region.Level.ZONE):
        raise DomainError("发放批次按县或乡镇生成", field="region")
    month = month_start(month)
    scope = {"programme": programme, "month": month, "region": region}
    live = PaymentRun.objects.select_related("prepared_by", "region").exclude(status=S.CANCELLED)
    with transaction.atomic():
        existing = live.filter(**scope).first()
        if existing is not None:
            return RunStart(existing, False, _existing_message(existing))
        try:
            with transaction.atomic():
                run = PaymentRun.objects.create(
                    **scope, county_code=region.county_code, prepared_by=actor
                )
        except IntegrityError:
            existing = live.get(**scope)
            return RunStart(existing, False, _existing_message(existing))
        audit.record(
            actor=actor,
            action="payments.run_start",
            obj=run,
            region_code=region.code,
            detail={"programme": programme, "month": month.isoformat()},
        )
    from .tasks import start_generation

    start_generation(run, owner=actor)
    run.refresh_from_db()
    return RunStart(run, True, f"已发起{run}的生成，完成后请复核")


def payroll_run_generate(
    *, run_id: int, progress: payroll.Progress | None = None
) -> dict[str, Any]:
    """The body of the generation task: lines, totals, then the approver's summary."""
    run = PaymentRun.objects.select_related("region").get(pk=run_id)
    if run.status != S.GENERATING:
        raise DomainError(f"批次状态为“{run.get_status_display()}”，不能再生成")
    made = payroll.generate_lines(run, progress)
    with transaction.atomic():
        payroll.plan_without_jit()
        _refresh_totals([run.pk])
        from .selectors import run_summary_compute

        run.refresh_from_db()
        run.summary = run_summary_compute(run)
        run.status = S.DRAFT
        run.save(update_fields=["summary", "status", "updated_at"])
        result = {
            "regular": made.regular,
            "reissue": made.reissue,
            "back_pay": made.back_pay,
            "one_off": made.one_off,
            "lines": run.line_count,
            "total_fen": run.total_fen,
        }
        audit.record(
            actor=run.prepared_by,
            action="payments.run_generate",
            obj=run,
            region_code=run.region_id,
            detail=result,
        )
    return result


def _refresh_totals(run_ids: Iterable[int]) -> None:
    for run_id in set(run_ids):
        agg = (
            PaymentLine.objects.filter(run_id=run_id)
            .exclude(status=L.CANCELLED)
            .aggregate(n=Count("id"), total=Sum("amount_fen"))
        )
        PaymentRun.objects.filter(pk=run_id).update(
            line_count=agg["n"] or 0, total_fen=agg["total"] or 0, updated_at=timezone.now()
        )


# --- runs: states -------------------------------------------------------------------------------


def _transition(
    run: PaymentRun, *, frm: Iterable[str], to: str, actor: User, action: str, **fields: Any
) -> PaymentRun:
    """Move the run from one of ``frm`` to ``to`` under a row lock; a run someone else moved
    meanwhile is refused, never moved twice."""
    locked = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if locked.status not in set(frm):
        raise DomainError(
            f"批次当前状态为“{locked.get_status_display()}”，不能执行此操作（可能已被他人处理）"
        )
    before = locked.status
    for k, v in fields.items():
        setattr(locked, k, v)
    locked.status = to
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action=action,
        obj=locked,
        region_code=locked.region_id,
        changes={"status": [before, to]},
    )
    return locked


def _require_scope(actor: User, run: PaymentRun) -> None:
    if not region_allowed(actor, run.region_id):
        raise PermissionDeniedError("该批次不在您的辖区内")


def payroll_run_review(*, actor: User, run: PaymentRun) -> PaymentRun:
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    _require_scope(actor, run)
    with transaction.atomic():
        return _transition(
            run,
            frm=[S.DRAFT],
            to=S.REVIEWED,
            actor=actor,
            action="payments.run_review",
            reviewed_by=actor,
            reviewed_at=timezone.now(),
        )


def payroll_run_approve(*, actor: User, run: PaymentRun) -> PaymentRun:
    """Approve a reviewed run. The approver may not be the one who prepared it."""
    require_perm(actor, Perm.PAYMENTS_APPROVE)
    _require_scope(actor, run)
    if run.prepared_by_id == actor.pk:
        audit.record_failure(
            actor=actor,
            action="payments.run_approve",
            obj=run,
            region_code=run.region_id,
            detail={"reason": "preparer"},
        )
        raise DomainError("审批人不能是本批次的制单人，请由另一位有审批权限的人员审批")
    with transaction.atomic():
        return _transition(
            run,
            frm=[S.REVIEWED],
            to=S.APPROVED,
            actor=actor,
            action="payments.run_approve",
            approved_by=actor,
            approved_at=timezone.now(),
        )


def payroll_run_cancel(*, actor: User, run: PaymentRun, reason: str) -> PaymentRun:
    """Discard a run that has not been exported: its lines release their months, so the scope
    can be generated again. Nothing reached the ledger, so nothing is reversed."""
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    _require_scope(actor, run)
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写作废原因", field="reason")
    with transaction.atomic():
        run = _transition(
            run,
            frm=[S.GENERATING, S.DRAFT, S.REVIEWED, S.APPROVED],
            to=S.CANCELLED,
            actor=actor,
            action="payments.run_cancel",
            cancelled_reason=reason[:200],
        )
        PaymentLine.objects.filter(run=run, status=L.PENDING).update(
            status=L.CANCELLED, held_month=None, note="批次作废"
        )
        # their exceptions and back-pay items go back to the queue for the next run
        PaymentException.objects.filter(reissue_lines__run=run).update(
            status=PaymentException.Status.READY, updated_at=timezone.now()
        )
        BackPayItem.objects.filter(lines__run=run).update(status=BackPayItem.Status.PENDING)
        _refresh_totals([run.pk])
        run.refresh_from_db()
    return run


# --- export and the ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class BankFile:
    content: bytes
    filename: str
    content_type: str
    rows: int
    posted: int  # lines posted to the ledger by this call (0 on a re-download)
    no_account: int


def _insert_entries_from_lines(run: PaymentRun, actor: User, booked_on: date) -> int:
    """Post the run's pending lines that have an account: one payment (or back-pay) entry each."""
    sql = (
        "INSERT INTO payments_ledgerentry (kind, person_id, enrollment_id, programme, month, "
        "amount_fen, booked_on, region_id, county_code, reason, run_id, line_id, created_by_id, "
        "created_at) "
        "SELECT CASE WHEN l.kind = 'back_pay' THEN 'back_pay' ELSE 'payment' END, "
        "l.payee_id, l.enrollment_id, l.programme, l.month, l.amount_fen, %s, l.region_id, "
        "l.county_code, CASE l.kind WHEN 'back_pay' THEN %s WHEN 'reissue' THEN %s ELSE %s END, "
        "l.run_id, l.id, %s, %s FROM payments_paymentline l "
        "WHERE l.run_id = %s AND l.status = 'pending' AND l.account_id IS NOT NULL"
    )
    ops = connection.ops
    with connection.cursor() as cur:
        cur.execute(
            sql,
            [
                ops.adapt_datefield_value(booked_on),
                "标准调整补发",
                "发放失败重发",
                f"{run.month:%Y年%m月}发放",
                actor.pk,
                ops.adapt_datetimefield_value(timezone.now()),
                run.pk,
            ],
        )
        return max(cur.rowcount, 0)


def _post_run(run: PaymentRun, actor: User, booked_on: date) -> tuple[int, int]:
    """Attach each pending line to its payee's active account, turn lines without one into
    exceptions (released, never lost), and post the rest to the ledger."""
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE payments_paymentline SET account_id = (SELECT a.id "
            "FROM payments_payeeaccount a WHERE a.person_id = payments_paymentline.payee_id "
            "AND a.active) WHERE run_id = %s AND status = 'pending'",
            [run.pk],
        )
    missing = list(PaymentLine.objects.filter(run=run, status=L.PENDING, account__isnull=True))
    _fail_lines(missing, reason="无有效收款账户", actor=actor, booked_on=booked_on, posted=False)
    posted = _insert_entries_from_lines(run, actor, booked_on)
    PaymentLine.objects.filter(run=run, status=L.PENDING).update(status=L.POSTED)
    return posted, len(missing)


def bank_file_rows(run: PaymentRun) -> Iterable[dict[str, Any]]:
    """The posted lines with the payee's full ID and account number (revealed here only; the
    caller audits the export)."""
    qs = (
        PaymentLine.objects.filter(run=run, status__in=[L.POSTED, L.PAID, L.FAILED])
        .exclude(account__isnull=True)
        .select_related("payee", "account", "region", "region__parent")
        .order_by("region_id", "id")
    )
    for ln in qs.iterator(chunk_size=2000):
        acc = ln.account
        assert acc is not None
        yield {
            "ref": ln.ref,
            "holder": acc.holder_name,
            "id_number": ln.payee.id_number.reveal() if ln.payee.id_number else "",
            "account": acc.account_number.reveal() if acc.account_number else "",
            "account_type": acc.get_account_type_display(),
            "bank": acc.bank_name,
            "amount": ln.amount_fen,
            "programme": Programme(ln.programme).label
            + ("（补发）" if ln.kind == PaymentLine.Kind.BACK_PAY else ""),
            "month": f"{ln.month:%Y-%m}",
            "town": ln.region.parent.name if ln.region.parent else "",
            "village": ln.region.name,
        }


def payroll_run_export(
    *,
    actor: User,
    run: PaymentRun,
    layout: BankLayout,
    fmt: str,
    booked_on: date | None = None,
) -> BankFile:
    """Export an approved run as the bank's disbursement file. The first export posts the
    run to the ledger (once: one entry per line, by a unique index) and moves it to
    "exported"; later downloads give the same lines again and post nothing."""
    require_perm(actor, Perm.PAYMENTS_EXPORT)
    _require_scope(actor, run)
    if fmt not in ("xlsx", "csv"):
        raise DomainError("文件格式只能是 xlsx 或 csv")
    bankfiles.validate_layout(layout)
    booked_on = booked_on or timezone.localdate()
    with transaction.atomic():
        locked = PaymentRun.objects.select_for_update().get(pk=run.pk)
        posted = missing = 0
        if locked.status == S.APPROVED:
            payroll.lock_county(locked.county_code)
            posted, missing = _post_run(locked, actor, booked_on)
            locked = _transition(
                locked,
                frm=[S.APPROVED],
                to=S.EXPORTED,
                actor=actor,
                action="payments.run_export",
                exported_at=timezone.now(),
                layout=layout,
            )
        elif locked.status not in (S.EXPORTED, S.RECONCILED):
            raise DomainError(
                f"批次状态为“{locked.get_status_display()}”，审批通过后才能导出银行文件"
            )
        rows = list(bank_file_rows(locked))
        content = bankfiles.render(layout, rows, fmt)
        audit.record(
            actor=actor,
            action="payments.bank_file",
            obj=locked,
            region_code=locked.region_id,
            detail={
                "layout": layout.code,
                "format": fmt,
                "rows": len(rows),
                "posted": posted,
                "no_account": missing,
                "revealed": ["id_number", "account_number"],
            },
        )
    name = f"代发-{locked.month:%Y%m}-{locked.region_id}-{locked.programme or 'all'}.{fmt}"
    return BankFile(
        content,
        name,
        bankfiles.XLSX_TYPE if fmt == "xlsx" else bankfiles.CSV_TYPE,
        len(rows),
        posted,
        missing,
    )


# --- reversals, bank returns, exceptions ---------------------------------------------------------


def _fail_lines(
    lines: list[PaymentLine],
    *,
    reason: str | dict[int, str],
    actor: User | None,
    booked_on: date,
    posted: bool,
    status: str = L.FAILED,
    make_exceptions: bool = True,
) -> int:
    """Lines that did not (or will not) reach the payee: reverse their ledger entry (when
    posted), release their month and record an exception to fix and re-issue."""
    if not lines:
        return 0
    reasons = reason if isinstance(reason, dict) else {ln.pk: reason for ln in lines}
    ids = [ln.pk for ln in lines]
    now = timezone.now()
    if posted:
        originals = LedgerEntry.objects.filter(
            line_id__in=ids, kind__in=[LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.BACK_PAY]
        )
        reversals = [
            LedgerEntry(
                kind=LedgerEntry.Kind.REVERSAL,
                person_id=e.person_id,
                enrollment_id=e.enrollment_id,
                programme=e.programme,
                month=e.month,
                amount_fen=-e.amount_fen,
                booked_on=booked_on,
                region_id=e.region_id,
                county_code=e.county_code,
                reason=f"冲正：{reasons[e.line_id or 0]}"[:200],
                run_id=e.run_id,
                line_id=e.line_id,
                reverses_id=e.pk,
                created_by=actor,
                created_at=now,
            )
            for e in originals
        ]
        LedgerEntry.objects.bulk_create(reversals, batch_size=2000)
        _settle_recoveries([(e.enrollment_id, e.month) for e in reversals], actor, booked_on)
    for ln in lines:
        ln.status = status
        ln.held_month = None
        ln.note = reasons[ln.pk][:200]
    PaymentLine.objects.bulk_update(lines, ["status", "held_month", "note"], batch_size=2000)
    if make_exceptions:
        PaymentException.objects.bulk_create(
            [
                PaymentException(
                    line=ln,
                    run_id=ln.run_id,
                    person_id=ln.payee_id,
                    enrollment_id=ln.enrollment_id,
                    programme=ln.programme,
                    month=ln.month,
                    amount_fen=ln.amount_fen,
                    region_id=ln.region_id,
                    county_code=ln.county_code,
                    reason=reasons[ln.pk][:200],
                )
                for ln in lines
            ],
            batch_size=2000,
        )
    return len(lines)


def _settle_recoveries(
    keys: list[tuple[int | None, date]], actor: User | None, booked_on: date
) -> None:
    """After a reversal, a month already under recovery may owe less than was claimed (the
    money never arrived): reduce the claim so that no balance goes below zero."""
    if not keys:
        return
    q = Q()
    for enrollment_id, month in set(keys):
        q |= Q(enrollment_id=enrollment_id, month=month)
    nets = (
        LedgerEntry.objects.filter(q)
        .values("enrollment_id", "month", "person_id", "programme", "region_id", "county_code")
        .annotate(net=Sum("amount_fen"), decision=Max("decision_id"))
        .filter(net__lt=0)
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                kind=LedgerEntry.Kind.RECOVERY,
                person_id=n["person_id"],
                enrollment_id=n["enrollment_id"],
                programme=n["programme"],
                month=n["month"],
                amount_fen=-n["net"],
                booked_on=booked_on,
                region_id=n["region_id"],
                county_code=n["county_code"],
                reason="银行退回，该月未实际到账，追回金额相应核减",
                decision_id=n["decision"],
                created_by=actor,
                created_at=timezone.now(),
            )
            for n in nets
        ]
    )


@dataclass
class ReturnResult:
    paid: int = 0
    failed: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)
    reconciled: bool = False

    @property
    def message(self) -> str:
        parts = [f"到账 {self.paid} 笔", f"失败 {self.failed} 笔（已转为发放异常）"]
        if self.already:
            parts.append(f"{self.already} 笔此前已处理，未重复处理")
        if self.reconciled:
            parts.append("批次已全部对账")
        return "回盘导入完成：" + "，".join(parts)


def bank_return_import(
    *,
    actor: User,
    run: PaymentRun,
    content: bytes,
    filename: str,
    unlisted_paid: bool = False,
    booked_on: date | None = None,
) -> ReturnResult:
    """Apply the bank's return file: listed successes are paid; failures are reversed in the
    ledger, release their month and become exceptions. A line is settled once: importing the
    same file again changes nothing. With ``unlisted_paid`` (a bank that lists only its
    failures) every other posted line counts as paid."""
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    _require_scope(actor, run)
    layout = run.layout or BankLayout.objects.filter(is_default=True).first()
    if layout is None:
        raise DomainError("没有可用的银行文件格式")
    rows = bankfiles.parse_return(content, filename, layout)
    booked_on = booked_on or timezone.localdate()
    out = ReturnResult()
    with transaction.atomic():
        locked = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if locked.status not in (S.EXPORTED, S.RECONCILED):
            raise DomainError("批次导出银行文件后才能导入回盘文件")
        ids = {r.ref: bankfiles.line_id_from_ref(r.ref) for r in rows}
        lines = {
            ln.pk: ln
            for ln in PaymentLine.objects.select_for_update().filter(
                run=locked, pk__in=[i for i in ids.values() if i]
            )
        }
        failed: list[PaymentLine] = []
        reasons: dict[int, str] = {}
        paid_ids: list[int] = []
        for r in rows:
            ln = lines.get(ids[r.ref] or 0)
            if ln is None:
                out.unknown.append(r.ref)
                continue
            if ln.status != L.POSTED or ln.pk in reasons or ln.pk in paid_ids:
                out.already += 1
                continue
            if r.ok:
                paid_ids.append(ln.pk)
            else:
                failed.append(ln)
                reasons[ln.pk] = f"银行退回：{r.reason}"
        if out.unknown:
            shown = "、".join(out.unknown[:5])
            raise DomainError(
                f"回盘文件中有 {len(out.unknown)} 条流水号不属于本批次（{shown}…），"
                f"请确认选择了正确的批次和文件"
            )
        payroll.lock_county(locked.county_code)
        out.paid = PaymentLine.objects.filter(pk__in=paid_ids).update(status=L.PAID)
        out.failed = _fail_lines(
            failed, reason=reasons, actor=actor, booked_on=booked_on, posted=True
        )
        if unlisted_paid:
            out.paid += PaymentLine.objects.filter(run=locked, status=L.POSTED).update(
                status=L.PAID
            )
        if not PaymentLine.objects.filter(run=locked, status=L.POSTED).exists():
            if locked.status == S.EXPORTED:
                _transition(
                    locked,
                    frm=[S.EXPORTED],
                    to=S.RECONCILED,
                    actor=actor,
                    action="payments.run_reconcile",
                    reconciled_at=timezone.now(),
                )
            out.reconciled = True
        _refresh_totals([locked.pk])
        audit.record(
            actor=actor,
            action="payments.bank_return",
            obj=locked,
            region_code=locked.region_id,
            detail={
                "file": filename[:100],
                "paid": out.paid,
                "failed": out.failed,
                "already": out.already,
            },
        )
    return out


def payment_reverse(
    *, actor: User, line: PaymentLine, reason: str, booked_on: date | None = None
) -> PaymentLine:
    """Correct a posted or paid line that should not stand (paid in error, money returned):
    a reversing entry, the month released. To pay it again, the exception is re-issued."""
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    _require_scope(actor, line.run)
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写冲正原因", field="reason")
    with transaction.atomic():
        locked = PaymentLine.objects.select_for_update().get(pk=line.pk)
        if locked.status not in (L.POSTED, L.PAID):
            raise DomainError("只有已入账的发放记录可以冲正")
        _fail_lines(
            [locked],
            reason=f"冲正：{reason}",
            actor=actor,
            booked_on=booked_on or timezone.localdate(),
            posted=True,
            status=L.REVERSED,
        )
        audit.record(
            actor=actor,
            action="payments.reverse",
            obj=locked.run,
            region_code=locked.region_id,
            detail={"line": locked.pk, "reason": reason},
        )
    return locked


def _exception_move(
    *,
    actor: User,
    exception: PaymentException,
    frm: list[str],
    to: str,
    resolution: str,
    action: str,
    taken: str,
    note_required: bool = False,
) -> PaymentException:
    """Move an exception on with the handler's note: one conditional UPDATE, so of two users
    acting at once only one succeeds and the other is told ``taken``."""
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    if not region_allowed(actor, exception.region_id):
        raise PermissionDeniedError()
    if note_required and not resolution:
        raise DomainError("请填写结案说明", field="resolution")
    with transaction.atomic():
        n = PaymentException.objects.filter(pk=exception.pk, status__in=frm).update(
            status=to, resolution=resolution[:200], handled_by=actor, updated_at=timezone.now()
        )
        if n == 0:
            raise DomainError(taken)
        exception.refresh_from_db()
        audit.record(
            actor=actor,
            action=action,
            obj=exception,
            region_code=exception.region_id,
            detail={"resolution": exception.resolution},
        )
    return exception


def exception_mark_ready(
    *, actor: User, exception: PaymentException, resolution: str
) -> PaymentException:
    """The cause is fixed (account corrected …): the next run in scope re-issues it, once."""
    X = PaymentException.Status
    return _exception_move(
        actor=actor,
        exception=exception,
        frm=[X.OPEN],
        to=X.READY,
        resolution=resolution.strip() or "已更正",
        action="payments.exception_ready",
        taken="该异常已被处理，请刷新页面",
    )


def exception_close(
    *, actor: User, exception: PaymentException, resolution: str
) -> PaymentException:
    """Close without re-issue (e.g. the person died before the month): with a reason."""
    X = PaymentException.Status
    return _exception_move(
        actor=actor,
        exception=exception,
        frm=[X.OPEN, X.READY],
        to=X.CLOSED,
        resolution=resolution.strip(),
        action="payments.exception_close",
        taken="该异常已重发或已结案",
        note_required=True,
    )


# --- payee accounts ----------------------------------------------------------------------------


def payee_account_set(
    *,
    actor: User,
    person: Person,
    account_type: str,
    bank_name: str,
    account_number: str,
    holder_name: str,
) -> PayeeAccount:
    """Give a person a new active account; the previous one is closed, not overwritten."""
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    if not region_allowed(actor, person.region_id):
        raise PermissionDeniedError()
    number = "".join(account_number.split())
    if not number.isdigit() or not 8 <= len(number) <= 30:
        raise DomainError("账号应为 8 至 30 位数字", field="account_number")
    if account_type not in PayeeAccount.Type.values:
        raise DomainError("请选择账户类型", field="account_type")
    holder_name = holder_name.strip()
    if not holder_name:
        raise DomainError("请填写户名", field="holder_name")
    with transaction.atomic():
        old = PayeeAccount.objects.select_for_update().filter(person=person, active=True).first()
        if old is not None:
            old.active = False
            old.closed_reason = "更换收款账户"
            old.save(update_fields=["active", "closed_reason", "updated_at"])
        acc = PayeeAccount.objects.create(
            person=person,
            account_type=account_type,
            bank_name=bank_name.strip()[:100],
            account_number=number,
            holder_name=holder_name[:50],
            region_id=person.region_id,
            county_code=person.county_code,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="payments.account_set",
            obj=acc,
            region_code=person.region_id,
            changes={"account_number": [old.account_number if old else None, acc.account_number]},
            detail={"person": str(person.public_id)},
        )
    return acc


# --- standards that change: back-pay ------------------------------------------------------------


def back_pay_compute(
    *,
    actor: User,
    programme: str,
    from_month: date,
    to_month: date,
    region: Region,
    reason: str,
) -> StandardChange:
    """After a standard was raised with an earlier effective date (announced in August,
    effective from July), record for every enrollment and month in ``[from_month, to_month]``
    the difference between what is owed now and what was paid; the next run in scope pays it.
    Computing again adds only what is still missing."""
    require_perm(actor, Perm.PAYMENTS_PREPARE)
    if not region_allowed(actor, region.code):
        raise PermissionDeniedError()
    if programme not in PAYABLE:
        raise DomainError("请选择按月发放的项目", field="programme")
    first, last = month_start(from_month), month_start(to_month)
    if last < first:
        raise DomainError("截止月份不能早于起始月份", field="to_month")
    if not reason.strip():
        raise DomainError("请填写调标依据", field="reason")
    with transaction.atomic():
        payroll.lock_county(region.county_code)
        decision = StandardChange.objects.create(
            programme=programme,
            region=region,
            county_code=region.county_code,
            from_month=first,
            to_month=last,
            reason=reason.strip()[:200],
            decided_by=actor,
        )
        for m in payroll.months_between(first, last):
            payroll.insert_back_pay_items(
                decision_id=decision.pk, programme=programme, prefix=region.prefix, month=m
            )
        agg = decision.items.aggregate(n=Count("id"), total=Sum("amount_fen"))
        decision.item_count, decision.total_fen = agg["n"] or 0, agg["total"] or 0
        decision.save(update_fields=["item_count", "total_fen", "updated_at"])
        audit.record(
            actor=actor,
            action="payments.back_pay",
            obj=decision,
            region_code=region.code,
            detail={"items": decision.item_count, "total_fen": decision.total_fen},
        )
    return decision


# --- recovery (追回) -------------------------------------------------------------------------


def recovery_decide(
    *,
    actor: User | None,
    person: Person,
    from_month: date,
    basis: str,
    reason: str,
    enrollment: Enrollment | None = None,
    source_ref: str = "",
    booked_on: date | None = None,
) -> RecoveryDecision:
    """A death or fraud decision: payments for ``from_month`` and later were not owed.

    The interface for the assistance workflow (which records the death or fraud finding):
    call it with the person (or one enrollment), the first month not owed and the reason.
    Pending lines of those months are cancelled before they reach the bank; months already
    in the ledger become recovery entries (追回) of exactly their net amount; and no later
    run pays those months.
    """
    if actor is not None:
        require_perm(actor, Perm.PAYMENTS_PREPARE)
        if not region_allowed(actor, person.region_id):
            raise PermissionDeniedError()
    if basis not in RecoveryDecision.Basis.values:
        raise DomainError("请选择追回原因类别", field="basis")
    if not reason.strip():
        raise DomainError("请填写追回说明", field="reason")
    first = month_start(from_month)
    booked_on = booked_on or timezone.localdate()
    with transaction.atomic():
        payroll.lock_county(person.county_code)
        decision = RecoveryDecision.objects.create(
            person=person,
            enrollment=enrollment,
            from_month=first,
            basis=basis,
            reason=reason.strip()[:200],
            source_ref=source_ref[:64],
            region_id=person.region_id,
            county_code=person.county_code,
            decided_by=actor,
        )
        scope = Q(payee=person, month__gte=first)
        if enrollment is not None:
            scope &= Q(enrollment=enrollment)
        pending = PaymentLine.objects.filter(scope, status=L.PENDING)
        touched = set(pending.values_list("run_id", flat=True))
        cancelled = pending.update(
            status=L.CANCELLED, held_month=None, note=f"追回决定：{decision.reason}"[:200]
        )
        items = BackPayItem.objects.filter(
            enrollment__payee=person, month__gte=first, status=BackPayItem.Status.PENDING
        )
        if enrollment is not None:
            items = items.filter(enrollment=enrollment)
        items.update(status=BackPayItem.Status.CANCELLED)
        entries = LedgerEntry.objects.filter(person=person, month__gte=first)
        if enrollment is not None:
            entries = entries.filter(enrollment=enrollment)
        nets = (
            entries.values("enrollment_id", "programme", "month")
            .annotate(net=Sum("amount_fen"), region=Max("region_id"), county=Max("county_code"))
            .filter(net__gt=0)
            .order_by("month")
        )
        now = timezone.now()
        claims = [
            LedgerEntry(
                kind=LedgerEntry.Kind.RECOVERY,
                person=person,
                enrollment_id=n["enrollment_id"],
                programme=n["programme"],
                month=n["month"],
                amount_fen=-n["net"],
                booked_on=booked_on,
                region_id=n["region"],
                county_code=n["county"],
                reason=f"追回（{RecoveryDecision.Basis(basis).label}）：{decision.reason}"[:200],
                decision=decision,
                created_by=actor,
                created_at=now,
            )
            for n in nets
        ]
        LedgerEntry.objects.bulk_create(claims)
        decision.claim_fen = -sum(c.amount_fen for c in claims)
        decision.cancelled_lines = cancelled
        decision.save(update_fields=["claim_fen", "cancelled_lines", "updated_at"])
        _refresh_totals(touched)
        audit.record(
            actor=actor,
            action="payments.recovery",
            obj=decision,
            region_code=person.region_id,
            detail={
                "from_month": first.isoformat(),
                "basis": basis,
                "claim_fen": decision.claim_fen,
                "cancelled_lines": cancelled,
                "source_ref": source_ref,
            },
            username="system" if actor is None else "",
        )
    return decision
