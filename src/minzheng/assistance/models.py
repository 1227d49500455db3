"""Assistance records: the programmes' dated parameters, applications, and enrollments with
their monthly amounts — the contract between the workflow (which creates enrollments) and
payments (which pays ``selectors.entitlements_for_month``).

Money is integer fen. Months are stored as the first day of the month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from minzheng.core.models import TimeStampedModel


class Programme(models.TextChoices):
    DIBAO = "dibao", "最低生活保障"
    DIBAO_EDGE = "dibao_edge", "低保边缘家庭"
    RIGID_EXPENSE = "rigid_expense", "刚性支出困难家庭"
    TEKUN = "tekun", "特困人员救助供养"
    TEMPORARY = "temporary_assistance", "临时救助"
    ORPHAN = "orphan", "孤儿基本生活保障"
    DE_FACTO_ORPHAN = "de_facto_orphan", "事实无人抚养儿童保障"
    DISABILITY_LIVING = "disability_living_subsidy", "困难残疾人生活补贴"
    DISABILITY_CARE = "disability_care_subsidy", "重度残疾人护理补贴"
    GAOLING = "gaoling", "高龄补贴"
    VAGRANT = "vagrant_rescue", "流浪乞讨人员救助"


#: Programmes that recognise a status without a monthly payment.
RECOGNITION_ONLY = frozenset({Programme.DIBAO_EDGE, Programme.RIGID_EXPENSE})
#: One-off payments (no monthly enrollment).
ONE_OFF = frozenset({Programme.TEMPORARY, Programme.VAGRANT})


class ParameterValue(models.Model):
    """One dated local parameter of a county (a standard, a rate, a limit).

    Edited by the county administrator in the UI: a change closes the old row
    (``effective_to``) and adds a new one, so the history stays. Seeded from
    ``data/parameters-<county>.json`` with ``confirmed=False`` ("待民政局确认").
    """

    county_code = models.CharField("县级区划代码", max_length=6)
    key = models.CharField("参数", max_length=64)
    value = models.JSONField("取值", null=True, blank=True)  # null: not set by the bureau yet
    effective_from = models.DateField("起始日期")
    effective_to = models.DateField("终止日期", null=True, blank=True)
    confirmed = models.BooleanField("民政局已确认", default=False)
    basis = models.TextField("依据", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["county_code", "key", "effective_from"]
        verbose_name = "救助参数"
        verbose_name_plural = "救助参数"
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "key", "effective_from"], name="assistance_param_once"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="assistance_param_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.key} {self.effective_from}"


class Application(TimeStampedModel):
    """An application to one programme, from intake to the county's decision.

    The workflow (steps, investigation, publicity, notices) is built on this record; the
    engine's assessment at each decisive step is kept in ``assessment`` as JSON.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        ACCEPTED = "accepted", "已受理"
        INVESTIGATING = "investigating", "入户调查中"
        TOWN_REVIEW = "town_review", "乡镇初审"
        PUBLICITY = "publicity", "公示中"
        COUNTY_REVIEW = "county_review", "县级审核确认"
        APPROVED = "approved", "已确认"
        REFUSED = "refused", "不予确认"
        WITHDRAWN = "withdrawn", "已撤回"
        TERMINATED = "terminated", "已终止"

    programme = models.CharField("救助项目", max_length=32, choices=Programme.choices)
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="applications"
    )
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    submitted_on = models.DateField("申请日期")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    decided_on = models.DateField("确认日期", null=True, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    choices = models.JSONField("申请选项", default=dict, blank=True)
    assessment = models.JSONField("核算结果", default=dict, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = "救助申请"
        verbose_name_plural = "救助申请"
        indexes = [models.Index(fields=["region", "status"], name="assistance_app_region")]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} #{self.pk}"


class Enrollment(TimeStampedModel):
    """A person or household receiving a programme from ``start_month`` (inclusive) to
    ``end_month`` (inclusive; None while open). ``payee`` is who the money goes to (the
    household head for 低保, the person for individual programmes)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "保障中"
        SUSPENDED = "suspended", "暂停"
        ENDED = "ended", "已终止"

    programme = models.CharField("救助项目", max_length=32, choices=Programme.choices)
    variant = models.CharField("类别", max_length=32, blank=True)  # urban/rural, dispersed …
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payee = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="enrollments"
    )
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    covered_persons = models.PositiveSmallIntegerField("保障人数", default=1)
    start_month = models.DateField("起始月份")
    end_month = models.DateField("终止月份", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["programme", "region_id", "id"]
        verbose_name = "保障对象"
        verbose_name_plural = "保障对象"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")),
                name="assistance_enrollment_months",
            ),
            # one open enrollment of a person per programme
            models.UniqueConstraint(
                fields=["payee", "programme"],
                condition=Q(end_month__isnull=True),
                name="assistance_one_open_enrollment",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "start_month"], name="assistance_enr_prog"),
            models.Index(fields=["region", "programme"], name="assistance_enr_region"),
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} {self.payee_id}"


class EnrollmentAmount(models.Model):
    """The monthly amount of an enrollment from ``from_month`` on (until the next row).
    Raises, reductions and 渐退 steps are new rows; the history stays."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="amounts")
    from_month = models.DateField("起始月份")
    amount_fen = models.BigIntegerField("月金额（分）")
    reason = models.CharField("原因", max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrollment_id", "from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "from_month"], name="assistance_amount_once"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="assistance_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.from_month:%Y-%m} {self.amount_fen}"


class Suspension(models.Model):
    """Months in which an enrollment is not paid (暂停), with the written reason."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="suspensions")
    from_month = models.DateField("暂停起始月份")
    to_month = models.DateField("暂停终止月份", null=True, blank=True)
    reason = models.CharField("原因", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrollment_id", "from_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_month__isnull=True) | Q(to_month__gte=F("from_month")),
                name="assistance_suspension_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.from_month:%Y-%m}"


# --- dynamic management (动态管理): reviews, change decisions, recovery claims ----------------
# Written by ``dynamic.py``; read by ``dynamic_selectors.py`` and, for ``RecoveryClaim``, by
# payments. See docs/decisions/0004-dynamic-management.md.


class ReviewTask(TimeStampedModel):
    """Something an officer must re-check by ``due_on``: a periodic review (审核确认办法
    第31条), a member's death (re-check within 3 months), an 18th birthday, an age-band change,
    a registry change, three refused job referrals, an objection during 公示."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", "定期复核"
        DEATH = "death", "成员死亡复核"
        AGE_18 = "age_18", "年满18周岁"
        AGE_BAND = "age_band", "高龄补贴调档"
        CHANGE = "change", "家庭情况变化复核"
        JOB_REFUSAL = "job_refusal", "无正当理由拒绝就业"
        OBJECTION = "objection", "公示异议调查"

    class Status(models.TextChoices):
        OPEN = "open", "待办"
        DONE = "done", "已办结"
        CANCELLED = "cancelled", "已取消"

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", "无实质变化，待遇不变"
        CHANGED = "changed", "情况变化，已另行作出变更决定"
        NONE = "", "（未办结）"

    kind = models.CharField("任务类型", max_length=16, choices=Kind.choices, db_index=True)
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.PROTECT, related_name="review_tasks"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    triggered_on = models.DateField("触发日期")
    due_on = models.DateField("办理期限", db_index=True)
    reason = models.CharField("事由", max_length=300)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.CharField(
        "办理结果", max_length=10, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    outcome_note = models.CharField("办理情况", max_length=300, blank=True)
    done_on = models.DateField("办结日期", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "动态管理任务"
        verbose_name_plural = "动态管理任务"
        constraints = [
            # the same event never raises the same task twice (scans are re-runnable)
            models.UniqueConstraint(
                fields=["enrollment", "kind", "due_on"],
                condition=Q(enrollment__isnull=False),
                name="assistance_review_once",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("triggered_on")), name="assistance_review_due_after"
            ),
        ]
        indexes = [models.Index(fields=["region", "status", "due_on"], name="assistance_rt_region")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class EnrollmentDecision(TimeStampedModel):
    """A decision that changes an enrollment — suspend, resume, raise or reduce, 渐退, stop a
    member's share, end — with its written reason and basis, shown as a notice (通知书).

    A decision that needs 公示 (ending 特困 support, 特困认定办法 第25条) waits in
    ``publicity`` and takes effect only when the publicity closes without objection.
    """

    class Kind(models.TextChoices):
        SUSPEND = "suspend", "暂停发放"
        RESUME = "resume", "恢复发放"
        REDUCE = "reduce", "减发"
        RAISE = "raise", "增发"
        JIANTUI = "jiantui", "渐退"
        SHARE_STOP = "share_stop", "停发个人份额"
        END = "end", "终止保障"
        DEATH_END = "death_end", "死亡终止"
        DEATH_REDUCE = "death_reduce", "成员死亡减发"
        AGE_END = "age_end", "年满18周岁终止"
        AGE_BAND = "age_band", "高龄补贴调档"

    class Status(models.TextChoices):
        IN_EFFECT = "in_effect", "已生效"
        PUBLICITY = "publicity", "公示中"
        OBJECTION = "objection", "公示有异议，调查中"
        WITHDRAWN = "withdrawn", "已撤回"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("决定类型", max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_month = models.DateField("生效月份")
    amount_before_fen = models.BigIntegerField("原月金额（分）", null=True, blank=True)
    amount_after_fen = models.BigIntegerField("新月金额（分）", null=True, blank=True)
    reason = models.TextField("理由")
    basis = models.CharField("依据", max_length=300)
    ground = models.CharField("终止情形", max_length=32, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.IN_EFFECT, db_index=True
    )
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_to = models.DateField("公示结束", null=True, blank=True)
    decided_on = models.DateField("决定日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = "保障变更决定"
        verbose_name_plural = "保障变更决定"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_month:%Y-%m}"

    @property
    def notice_number(self) -> str:
        return f"{self.county_code}-{self.decided_on:%Y}-{self.pk:06d}"


class RecoveryClaim(models.Model):
    """Money paid for months after an enrollment stopped being owed, to be recovered (追回).

    The contract with payments: for ``enrollment``, every month from ``from_month`` on that
    the ledger shows as paid is owed back, less what the enrollment's amount rows now say is
    due for that month (zero after ``end_month``; the reduced amount after a member's death).
    Payments computes the money from its ledger; this row only says that recovery is needed,
    for whom and why. Written by ``dynamic.person_death_recorded``.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="recovery_claims"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    from_month = models.DateField("追回起始月份")
    reason = models.CharField("原因", max_length=200)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrollment_id", "from_month"]
        verbose_name = "待追回资金"
        verbose_name_plural = "待追回资金"
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "person", "from_month"], name="assistance_recovery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.from_month:%Y-%m}"


class JobReferral(TimeStampedModel):
    """A job offered to a member able to work and what he or she said (审核确认办法 第34条:
    three suitable referrals refused in a row without good reason stop his or her own share)."""

    class Response(models.TextChoices):
        ACCEPTED = "accepted", "接受"
        REFUSED = "refused", "无正当理由拒绝"
        REFUSED_WITH_REASON = "refused_with_reason", "有正当理由未接受"

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="job_referrals"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField("介绍日期")
    job = models.CharField("介绍的工作", max_length=200)
    response = models.CharField("本人意见", max_length=20, choices=Response.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["person_id", "referred_on", "id"]
        verbose_name = "就业介绍"
        verbose_name_plural = "就业介绍"

    def __str__(self) -> str:
        return f"{self.person_id} {self.referred_on} {self.response}"


# --- Workflow (受理 → 入户调查 → 初审 → 公示 → 审核确认) -----------------------------------------
# The facts of each step of an application, kept beside ``Application`` so that the records
# above stay the contract with payments. Written only by ``workflow.py``.


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "本人（家庭成员）到乡镇申请"
    VILLAGE_CADRE = "village_cadre", "村（居）委会代为申请"
    AGENT = "agent", "委托他人代为申请"


class ApplicationCase(TimeStampedModel):
    """The workflow record of one application: how it came in, what each step decided, and
    the next deadline (``due_on``, kept by the services so lists sort and filter on it)."""

    class Opinion(models.TextChoices):
        AGREE = "agree", "同意"
        DISAGREE = "disagree", "不同意"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    channel = models.CharField("申请方式", max_length=16, choices=Channel.choices)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commitment_signed_on = models.DateField("承诺书签署日期")
    authorisation_signed_on = models.DateField("授权核对签署日期")
    power_of_attorney = models.BooleanField("已提交委托书", default=False)
    near_relative = models.BooleanField("近亲属备案（经办人员或村居委成员）", default=False)
    near_relative_note = models.CharField("近亲属备案说明", max_length=200, blank=True)
    residence_note = models.CharField("户籍地与居住地说明", max_length=200, blank=True)
    delegated = models.BooleanField("审核确认权限已委托乡镇", default=False)
    extended = models.BooleanField("办理期限已延长", default=False)
    extension_reason = models.CharField("延长理由", max_length=200, blank=True)
    first_aid = models.BooleanField("先行救助", default=False)
    records_pending = models.BooleanField("先行救助后待补手续", default=False)
    case_by_case = models.BooleanField("一事一议", default=False)
    case_by_case_note = models.CharField("一事一议说明", max_length=200, blank=True)
    investigation_started_on = models.DateField("调查开始日期", null=True, blank=True)
    town_opinion = models.CharField(
        "乡镇初审意见", max_length=8, choices=Opinion.choices, blank=True
    )
    town_opinion_text = models.TextField("初审意见说明", blank=True)
    town_reviewed_on = models.DateField("初审日期", null=True, blank=True)
    democratic_review = models.BooleanField("已进行民主评议", default=False)
    democratic_review_note = models.TextField("民主评议情况", blank=True)
    publicity_from = models.DateField("公示开始日期", null=True, blank=True)
    publicity_to = models.DateField("公示结束日期", null=True, blank=True)
    received_by_county_on = models.DateField("县级收到日期", null=True, blank=True)
    county_visit_on = models.DateField("县级入户核查日期", null=True, blank=True)
    approved_amount_fen = models.BigIntegerField("核定金额（分）", null=True, blank=True)
    start_month = models.DateField("起始发放月份", null=True, blank=True)
    decision_note = models.TextField("审核确认意见", blank=True)
    refusal_reasons = models.TextField("不予确认理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("下一期限", null=True, blank=True, db_index=True)
    due_label = models.CharField("期限事项", max_length=60, blank=True)

    class Meta:
        verbose_name = "救助申请办理记录"
        verbose_name_plural = "救助申请办理记录"

    def __str__(self) -> str:
        return f"case of {self.application_id}"


class CaseEvent(models.Model):
    """One entry of a case's history, shown on the case page (the audit trail has the rest)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    step = models.CharField("环节", max_length=32)
    on_date = models.DateField("业务日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("经办人", max_length=150, blank=True)
    text = models.CharField("摘要", max_length=300)
    data = models.JSONField("详情", default=dict, blank=True)
    occurred_at = models.DateTimeField("记录时间", auto_now_add=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["application_id", "occurred_at", "id"]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return self.text


class Investigation(TimeStampedModel):
    """A record of the economic-status investigation (入户调查、邻里访问、信函索证), or the
    county's own home visit of a near-relative case (审核确认办法 第16、20条)."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", "入户调查"
        NEIGHBOURS = "neighbours", "邻里访问"
        LETTER = "letter", "信函索证"
        REMOTE = "remote", "电话或视频调查（重大突发事件期间）"
        COUNTY_VISIT = "county_visit", "县级入户核查"

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="investigations"
    )
    kind = models.CharField("调查方式", max_length=16, choices=Kind.choices)
    visited_on = models.DateField("调查日期")
    investigators = models.JSONField("调查人员", default=list)
    findings = models.TextField("调查情况")
    household_signed = models.BooleanField("调查人员与在场家庭成员已签字", default=False)
    attachments = models.ManyToManyField("registry.Document", blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["application_id", "visited_on", "id"]
        verbose_name = "调查记录"
        verbose_name_plural = "调查记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"


class Objection(TimeStampedModel):
    """An objection raised during the publicity; it sends the case back to investigation."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections"
    )
    raised_on = models.DateField("提出日期")
    raised_by = models.CharField("异议人", max_length=100, blank=True)
    text = models.TextField("异议内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["application_id", "raised_on", "id"]
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"objection {self.raised_on}"


class Notice(TimeStampedModel):
    """A written notice of a case: 受理通知书, 不予确认通知书 (with the reasons, delivered
    within 3 working days), 确认通知书. The PDF is rendered from this row when asked."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", "受理通知书"
        REFUSAL = "refusal", "不予确认通知书"
        APPROVAL = "approval", "审核确认通知书"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField("文书", max_length=12, choices=Kind.choices)
    number = models.CharField("文号", max_length=40, blank=True)
    issued_on = models.DateField("出具日期")
    deliver_by = models.DateField("送达期限", null=True, blank=True)
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    reasons = models.TextField("理由", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["application_id", "issued_on", "id"]
        verbose_name = "通知书"
        verbose_name_plural = "通知书"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                name="assistance_notice_once_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
