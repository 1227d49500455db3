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
