"""Payments (资金发放): payroll runs and their frozen lines, the append-only ledger, payee bank
accounts, bank file layouts, bank-return exceptions, back-pay and recovery decisions.

Money is integer fen; months are the first day of the month. Two database rules carry the
promise "never paid twice":

- ``PaymentLine.held_month`` is the month a line claims for its payee in its programme group;
  ``(payee, programme_group, held_month)`` is unique, so a person can hold a month of a group
  (孤儿 / 事实无人抚养 / 特困 share one) only once, across runs, regions and programmes. A
  reversal (bank failure, correction) or a cancelled draft sets it to NULL, which releases
  the month for a re-issue.
- ``LedgerEntry`` rows are never updated or deleted (database triggers, ``ledger_sql``); a
  correction is a new, reversing entry, and an entry can be reversed at most once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from minzheng.assistance.models import Programme
from minzheng.core.fields import ProtectedField
from minzheng.core.models import TimeStampedModel


class BankAccountField(ProtectedField):
    """A bank or social-security card number: SM4-encrypted, masked 前6后4 when printed."""

    kind = "bank"
    description = "Bank account number, encrypted"

    def normalize(self, value: str) -> str:
        return "".join(value.split())


class ProgrammeGroup(models.Model):
    """Which programmes exclude each other (data, loaded from ``data/exclusion_groups.csv``).

    A person is paid at most once per group and month. When one person is entitled in two
    programmes of a group for the same month, the programme with the lower ``precedence``
    is paid (payroll generates programmes in that order); the other shows as excluded.
    """

    programme = models.CharField("救助项目", max_length=32, primary_key=True)
    group_code = models.CharField("互斥组", max_length=32)
    precedence = models.PositiveSmallIntegerField("优先顺序", default=1)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["group_code", "precedence"]
        verbose_name = "项目互斥组"
        verbose_name_plural = "项目互斥组"

    def __str__(self) -> str:
        return f"{self.programme}→{self.group_code}"


class PayrollLock(models.Model):
    """One row per county, locked (``SELECT … FOR UPDATE`` on PostgreSQL) while payroll
    lines of that county are written, so two generations never race on the same months.
    SQLite needs no row: its IMMEDIATE transactions already admit one writer at a time."""

    county_code = models.CharField(max_length=6, primary_key=True)

    def __str__(self) -> str:
        return self.county_code


class BankLayout(models.Model):
    """A bank's disbursement-file layout (data, editable): columns, file encoding, amount unit.

    ``columns`` is a list of ``{"field": <one of FIELDS>, "header": "<column title>"}``;
    ``return_columns`` names the return file's reference, status and reason columns, and the
    words the bank uses for success.
    """

    FIELDS = {
        "ref": "业务流水号",
        "holder": "户名",
        "id_number": "身份证号",
        "account": "账号",
        "account_type": "账户类型",
        "bank": "开户行",
        "amount": "金额",
        "programme": "项目",
        "month": "所属月份",
        "town": "乡镇",
        "village": "村（社区）",
    }

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("银行", max_length=100)
    columns = models.JSONField("代发文件列")
    csv_encoding = models.CharField("CSV 编码", max_length=16, default="utf-8-sig")
    amount_in_yuan = models.BooleanField("金额以元计（两位小数）", default=True)
    return_columns = models.JSONField("回盘文件列", default=dict)
    is_default = models.BooleanField("默认", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["-is_default", "code"]
        verbose_name = "银行文件格式"
        verbose_name_plural = "银行文件格式"

    def __str__(self) -> str:
        return self.name


class PayeeAccount(TimeStampedModel):
    """Where a person's money goes: one active account per person; a change closes the old
    row (``active=False``) and adds a new one, so lines keep pointing at the account used."""

    class Type(models.TextChoices):
        BANK_CARD = "bank_card", "银行卡"
        SOCIAL_SECURITY = "social_security_card", "社保卡"
        YIKATONG = "yikatong", "一卡通"

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="payee_accounts"
    )
    account_type = models.CharField("账户类型", max_length=24, choices=Type.choices)
    bank_name = models.CharField("开户行", max_length=100)
    account_number = BankAccountField("账号")
    holder_name = models.CharField("户名", max_length=50)
    active = models.BooleanField("有效", default=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = models.CharField("停用原因", max_length=200, blank=True)

    class Meta:
        ordering = ["person_id", "-created_at"]
        verbose_name = "收款账户"
        verbose_name_plural = "收款账户"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(active=True), name="payments_one_active_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_type_display()} {self.account_number}"


class PaymentRun(TimeStampedModel):
    """One payroll run: a programme (or all, ``programme=""``), a month and a region."""

    class Status(models.TextChoices):
        GENERATING = "generating", "生成中"
        DRAFT = "draft", "待复核"
        REVIEWED = "reviewed", "已复核"
        APPROVED = "approved", "已审批"
        EXPORTED = "exported", "已导出"
        RECONCILED = "reconciled", "已对账"
        CANCELLED = "cancelled", "已作废"

    programme = models.CharField("救助项目", max_length=32, blank=True)  # "" = all
    month = models.DateField("发放月份")
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.GENERATING, db_index=True
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    exported_at = models.DateTimeField("导出时间", null=True, blank=True)
    reconciled_at = models.DateTimeField("对账时间", null=True, blank=True)
    cancelled_reason = models.CharField("作废原因", max_length=200, blank=True)
    layout = models.ForeignKey(
        BankLayout, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey(
        "core.JobProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line_count = models.PositiveIntegerField("笔数", default=0)
    total_fen = models.BigIntegerField("金额（分）", default=0)
    summary = models.JSONField("汇总与变化", default=dict, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-month", "-created_at"]
        verbose_name = "发放批次"
        verbose_name_plural = "发放批次"
        constraints = [
            # the same programme, month and region is generated once (a cancelled draft
            # frees its scope); this is what a second, simultaneous start runs into
            models.UniqueConstraint(
                fields=["programme", "month", "region"],
                condition=~Q(status="cancelled"),
                name="payments_one_run_per_scope",
            ),
        ]
        indexes = [models.Index(fields=["region", "month"], name="payments_run_region")]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} {self.programme_label} {self.region.name}"

    @property
    def programme_label(self) -> str:
        return Programme(self.programme).label if self.programme else "全部项目"


class PaymentLine(models.Model):
    """One payment order of a run, frozen at generation: payee, enrollment, programme, month
    and amount never change afterwards (a database trigger refuses it). ``status`` moves
    pending → posted (exported, in the ledger) → paid | failed; a cancelled or failed line
    releases its month (``held_month`` = NULL)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", "当月发放"
        REISSUE = "reissue", "失败重发"
        BACK_PAY = "back_pay", "补发"
        ONE_OFF = "one_off", "一次性救助"

    class Status(models.TextChoices):
        PENDING = "pending", "待发放"
        POSTED = "posted", "已入账待回盘"
        PAID = "paid", "已到账"
        FAILED = "failed", "发放失败"
        REVERSED = "reversed", "已冲正"
        CANCELLED = "cancelled", "已撤销"

    # The line's references carry no database foreign key: run, enrollment, account, source
    # exception and back-pay item are checked by the database once per statement instead of
    # per row (line_refs_sql, docs/decisions/0006); payee and region are copies of the
    # enrollment's own columns, written in the same statement (docs/decisions/0005). Django
    # still protects them all (on_delete) and joins through them.
    run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, related_name="lines", db_constraint=False
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    enrollment = models.ForeignKey(
        "assistance.Enrollment",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    payee = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    programme = models.CharField("救助项目", max_length=32)
    programme_group = models.CharField("互斥组", max_length=32)
    month = models.DateField("所属月份")
    amount_fen = models.BigIntegerField("金额（分）")
    region = models.ForeignKey(
        "geo.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    county_code = models.CharField("县级区划代码", max_length=6)
    held_month = models.DateField("占用月份", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    account = models.ForeignKey(
        PayeeAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # one-to-one through partial unique indexes (below), so regular lines cost no index entry
    source_exception = models.ForeignKey(
        "PaymentException",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissue_lines",
        db_index=False,
        db_constraint=False,
    )
    back_pay = models.ForeignKey(
        "BackPayItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        constraints = [
            # NULLs are distinct: released lines never collide
            models.UniqueConstraint(
                fields=["payee", "programme_group", "held_month"], name="payments_paid_once"
            ),
            # an exception is re-issued, and a back-pay item paid, by one live line (a line
            # of a cancelled draft gives it back to the queue)
            models.UniqueConstraint(
                fields=["source_exception"],
                condition=Q(source_exception__isnull=False) & ~Q(status="cancelled"),
                name="payments_reissue_once",
            ),
            # a one-off grant (临时救助) is paid by one live line, whatever its month
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(kind="one_off") & ~Q(status="cancelled"),
                name="payments_one_off_once",
            ),
            models.UniqueConstraint(
                fields=["back_pay"],
                condition=Q(back_pay__isnull=False) & ~Q(status="cancelled"),
                name="payments_back_pay_once",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_line_positive"),
            models.CheckConstraint(
                condition=Q(held_month__isnull=True) | Q(held_month=models.F("month")),
                name="payments_line_holds_own_month",
            ),
        ]
        indexes = [
            models.Index(fields=["enrollment", "month"], name="payments_line_enr_month"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.pk} {self.programme} {self.month:%Y-%m} {self.amount_fen}"

    @property
    def ref(self) -> str:
        """The reference written to the bank file and matched in its return file."""
        return f"MZ{self.pk:010d}"


class StandardChange(TimeStampedModel):
    """A raised standard with an earlier effective date (e.g. announced in August, effective
    from July): the decision behind back-pay items."""

    programme = models.CharField("救助项目", max_length=32, choices=Programme.choices)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    from_month = models.DateField("起始月份")
    to_month = models.DateField("截止月份")
    reason = models.CharField("依据", max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_count = models.PositiveIntegerField("补发笔数", default=0)
    total_fen = models.BigIntegerField("补发金额（分）", default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "标准调整补发"
        verbose_name_plural = "标准调整补发"

    def __str__(self) -> str:
        return f"{self.programme} {self.from_month:%Y-%m}"


class BackPayItem(models.Model):
    """What one enrollment is still owed for one past month after a raise; the next run in
    its scope turns it into a back-pay line (once: ``PaymentLine.back_pay`` is one-to-one)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待补发"
        INCLUDED = "included", "已纳入批次"
        CANCELLED = "cancelled", "已撤销"

    decision = models.ForeignKey(StandardChange, on_delete=models.PROTECT, related_name="items")
    enrollment = models.ForeignKey(
        "assistance.Enrollment", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("所属月份")
    amount_fen = models.BigIntegerField("补发金额（分）")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrollment_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "enrollment", "month"], name="payments_backpay_once"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_backpay_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.month:%Y-%m} +{self.amount_fen}"


class RecoveryDecision(TimeStampedModel):
    """A decision that payments from ``from_month`` on were not owed (death, fraud …): paid
    months become recovery claims (追回) in the ledger, and no later run pays those months."""

    class Basis(models.TextChoices):
        DEATH = "death", "死亡"
        FRAUD = "fraud", "骗取救助"
        OTHER = "other", "其他"

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="recovery_decisions"
    )
    enrollment = models.ForeignKey(
        "assistance.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_month = models.DateField("起始月份")
    basis = models.CharField("原因类别", max_length=8, choices=Basis.choices)
    reason = models.CharField("说明", max_length=200)
    source_ref = models.CharField("来源记录", max_length=64, blank=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim_fen = models.BigIntegerField("追回金额（分）", default=0)
    cancelled_lines = models.PositiveIntegerField("撤销未发笔数", default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "追回决定"
        verbose_name_plural = "追回决定"
        indexes = [models.Index(fields=["person", "from_month"], name="payments_recovery_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.from_month:%Y-%m} {self.basis}"


class LedgerEntry(models.Model):
    """One movement of money, in signed integer fen: payment and back-pay are positive,
    reversal and recovery negative (a recovery reduced after a bank return is positive).
    Append-only: database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "发放"
        REVERSAL = "reversal", "冲正"
        BACK_PAY = "back_pay", "补发"
        RECOVERY = "recovery", "追回"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    enrollment = models.ForeignKey(
        "assistance.Enrollment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    programme = models.CharField("救助项目", max_length=32)
    month = models.DateField("所属月份")
    amount_fen = models.BigIntegerField("金额（分）")
    booked_on = models.DateField("记账日期")
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    county_code = models.CharField("县级区划代码", max_length=6)
    reason = models.CharField("事由", max_length=200)
    run = models.ForeignKey(
        PaymentRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    line = models.ForeignKey(
        PaymentLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    decision = models.ForeignKey(
        RecoveryDecision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name = "资金台账"
        verbose_name_plural = "资金台账"
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="payments_entry_nonzero"),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["payment", "back_pay"], amount_fen__gt=0)
                    | Q(kind="reversal", amount_fen__lt=0, reverses__isnull=False)
                    | Q(kind="recovery", decision__isnull=False)
                ),
                name="payments_entry_sign",
            ),
            # an entry is reversed at most once
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="payments_reversed_once",
            ),
            # a line is posted once: one payment (or back-pay) entry per line
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(kind__in=["payment", "back_pay"]),
                name="payments_line_posted_once",
            ),
        ]
        indexes = [
            models.Index(fields=["enrollment", "month"], name="payments_entry_enr_month"),
            models.Index(fields=["person", "programme"], name="payments_entry_person"),
            models.Index(fields=["booked_on", "programme"], name="payments_entry_booked"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} {self.month:%Y-%m} {self.amount_fen}"


class PaymentException(TimeStampedModel):
    """A line the bank could not pay (closed account, name mismatch …) or that had no account
    at export. Fixed (account corrected) → ready → re-issued once by a later run's line."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        READY = "ready", "已更正待重发"
        REISSUED = "reissued", "已重发"
        CLOSED = "closed", "已结案"

    line = models.OneToOneField(PaymentLine, on_delete=models.PROTECT, related_name="exception")
    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="exceptions")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey(
        "assistance.Enrollment", on_delete=models.PROTECT, related_name="+"
    )
    programme = models.CharField("救助项目", max_length=32)
    month = models.DateField("所属月份")
    amount_fen = models.BigIntegerField("金额（分）")
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    reason = models.CharField("失败原因", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution = models.CharField("处理说明", max_length=200, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "发放异常"
        verbose_name_plural = "发放异常"

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.reason}"
