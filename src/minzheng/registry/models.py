"""The social registry (社会救助档案): persons, households, membership and economic facts.

Every table that grows with the population carries ``county_code`` (the first six digits of
its region code) so that a province can later be split by county. Coded fields store national
standard codes (sex GB/T 2261.1, ethnicity GB/T 3304, relation GB/T 4761, disability category
GB/T 26341); their labels live in :class:`CodeItem`, loaded from ``data/codes.csv``.

Rows that two people may edit at once (person, household, income, asset, disability) carry a
``version`` that services compare and increment: a save based on an old version is refused.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext

from minzheng.core.fields import BlindIndexField, PhoneField, ProtectedField, ResidentIdField
from minzheng.core.models import TimeStampedModel


class CodeTable(models.TextChoices):
    SEX = "sex", "性别（GB/T 2261.1）"
    ETHNICITY = "ethnicity", "民族（GB/T 3304）"
    RELATION = "relation", "与户主关系（GB/T 4761）"
    DISABILITY_CATEGORY = "disability_category", "残疾类别（GB/T 26341）"


class CodeItem(models.Model):
    """One entry of a national standard code table (data, loaded by a migration)."""

    table = models.CharField("代码表", max_length=32, choices=CodeTable.choices)
    code = models.CharField("代码", max_length=8)
    label = models.CharField("名称", max_length=40)
    standard = models.CharField("标准", max_length=40, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["table", "sort", "code"]
        verbose_name = "标准代码"
        verbose_name_plural = "标准代码"
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="registry_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Person(TimeStampedModel):
    """A resident known to the bureau. The ID number is encrypted; look-ups use its index."""

    class Hukou(models.TextChoices):
        URBAN = "urban", "城镇"
        RURAL = "rural", "农村"

    class Status(models.TextChoices):
        LIVING = "living", "健在"
        DECEASED = "deceased", "已故"
        MOVED_OUT = "moved_out", "已迁出"

    id_number = ResidentIdField("公民身份号码")
    id_number_index = BlindIndexField(source="id_number", kind="id")
    name = models.CharField("姓名", max_length=50, db_index=True)
    sex = models.CharField("性别", max_length=1)  # GB/T 2261.1
    birth_date = models.DateField("出生日期", db_index=True)
    ethnicity = models.CharField("民族", max_length=2, default="01")  # GB/T 3304
    region = models.ForeignKey(
        "geo.Region",
        verbose_name="户籍所在村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    hukou = models.CharField("户口性质", max_length=8, choices=Hukou.choices)
    phone = PhoneField("联系电话", null=True, blank=True)
    phone_index = BlindIndexField(
        source="phone", kind="phone", null=True, blank=True, db_index=True
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.LIVING)
    died_on = models.DateField("死亡日期", null=True, blank=True)
    moved_out_on = models.DateField("迁出日期", null=True, blank=True)
    # warnings from parsing the ID number (unknown or abolished address code, 15-digit
    # upgrade): kept and shown on the page, never a reason to refuse the record
    id_warnings = models.JSONField("身份证号码提示", default=list, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="registry_person_one_per_id"),
            models.CheckConstraint(
                condition=~Q(status="deceased") | Q(died_on__isnull=False),
                name="registry_person_deceased_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="moved_out") | Q(moved_out_on__isnull=False),
                name="registry_person_moved_out_has_date",
            ),
            models.CheckConstraint(
                condition=Q(died_on__isnull=True) | Q(died_on__gte=F("birth_date")),
                name="registry_person_died_after_birth",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"], name="registry_person_region")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_living(self) -> bool:
        return self.status == self.Status.LIVING


class PersonSearchKey(models.Model):
    """Normalised search keys of a person's name, one row per key.

    ``name`` keys are the suffixes of the Chinese name (so "contains" becomes a prefix look-up);
    ``full`` and ``initials`` keys are lower-case pinyin for every reading of the name. A search
    is a range scan ``key >= q AND key < q⁺`` on the ``(key, region_code, kind, person_id)``
    index, which works the same on SQLite and PostgreSQL; ``region_code`` is the person's, kept
    in step by the services, so the region scope is applied inside the index. The index covers
    every column the search reads, so the look-up never visits the table (an index-only scan
    on PostgreSQL, a covering index on SQLite), and reading it in its own order lets the
    database stop after the first rows.
    """

    class Kind(models.TextChoices):
        NAME = "name", "姓名"
        FULL = "full", "全拼"
        INITIALS = "initials", "简拼"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    region_code = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="registry_searchkey_unique"),
        ]
        indexes = [
            models.Index(
                fields=["key", "region_code", "kind", "person"], name="registry_searchkey_cover"
            )
        ]

    def __str__(self) -> str:
        return self.key


class Household(TimeStampedModel):
    """A household (户). ``member_count`` is the number of current members, kept by services
    (``household_recount`` after bulk work) so that lists filter and sort on an index."""

    head = models.ForeignKey(
        Person,
        verbose_name="户主",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField("家庭住址", max_length=200, blank=True)
    region = models.ForeignKey(
        "geo.Region", verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    member_count = models.PositiveSmallIntegerField("现有人口", default=0, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["region_id", "id"]
        verbose_name = "家庭"
        verbose_name_plural = "家庭"

    def __str__(self) -> str:
        return f"{self.head.name if self.head_id and self.head else ''}户"


class Membership(models.Model):
    """A person's membership of a household over a period; history is kept, never deleted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField("与户主关系", max_length=2)  # GB/T 4761
    living_together = models.BooleanField("共同生活", default=True)
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=100, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "relation", "id"]
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="registry_one_current_household",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="registry_membership_dates",
            ),
        ]
        indexes = [models.Index(fields=["household", "ended_on"], name="registry_member_hh")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.household_id}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class Disability(TimeStampedModel):
    """A disability certificate (残疾人证). Its number contains the ID number: encrypted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disabilities")
    certificate_number = ProtectedField("残疾人证号", null=True, blank=True)
    category = models.CharField("残疾类别", max_length=1)  # GB/T 26341
    grade = models.PositiveSmallIntegerField("残疾等级")
    issued_on = models.DateField("发证日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["person_id", "grade"]
        verbose_name = "残疾信息"
        verbose_name_plural = "残疾信息"
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=4), name="registry_disability_grade"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(valid_until__gte=F("issued_on")),
                name="registry_disability_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}-{self.grade}"

    @property
    def grade_label(self) -> str:
        return "一二三四"[self.grade - 1] + "级" if 1 <= self.grade <= 4 else str(self.grade)


class HealthCondition(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="health_conditions")
    serious_illness = models.BooleanField("重特大疾病", default=False)
    description = models.CharField("病情说明", max_length=200)
    diagnosed_on = models.DateField("确诊日期", null=True, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["person_id", "-serious_illness", "id"]
        verbose_name = "健康状况"
        verbose_name_plural = "健康状况"

    def __str__(self) -> str:
        return self.description


class Situation(TimeStampedModel):
    """A period in which a person cannot care for their children: in prison or custody, in
    compulsory drug rehabilitation, otherwise deprived of liberty, lost contact, or declared
    missing. The 事实无人抚养儿童 rules read it for a child's parents (民发〔2019〕62号 一);
    ``until`` is the known or expected end (a sentence's end), empty while open."""

    class Kind(models.TextChoices):
        IMPRISONED = "imprisoned", "服刑在押"
        DETAINED = "detained", "被羁押"
        COMPULSORY_DETOX = "compulsory_detox", "强制隔离戒毒"
        RESTRICTED_LIBERTY = "restricted_liberty", "被执行其他限制人身自由的措施"
        LOST_CONTACT = "lost_contact", "失联"
        DECLARED_MISSING = "declared_missing", "被宣告失踪"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="situations")
    kind = models.CharField("情形", max_length=20, choices=Kind.choices)
    since = models.DateField("起始日期", null=True, blank=True)
    until = models.DateField("结束日期", null=True, blank=True)
    basis = models.CharField("证明材料", max_length=100, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["person_id", "-since", "id"]
        verbose_name = "特殊情形"
        verbose_name_plural = "特殊情形"
        constraints = [
            models.CheckConstraint(
                condition=Q(since__isnull=True) | Q(until__isnull=True) | Q(until__gte=F("since")),
                name="registry_situation_period",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def period_text(self, *, ended: bool) -> str:
        """The period in words, as every page and record words it: "2022-01-01 起，预计
        2027-02-28 结束" while a known end is still to come, "… 至 …" once it has passed."""
        values = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        if self.since and self.until:
            if ended:
                return gettext("%(since)s 至 %(until)s") % values
            return gettext("%(since)s 起，预计 %(until)s 结束") % values
        if self.since:
            return gettext("%(since)s 起") % values
        if self.until:
            if ended:
                return gettext("%(until)s 结束") % values
            return gettext("预计 %(until)s 结束") % values
        return gettext("起止日期不详")

    def in_force(self, on: dt.date) -> bool:
        """Recorded for ``on``: started by then (or start unknown) and not ended before it."""
        return (self.since is None or self.since <= on) and (self.until is None or on <= self.until)


class Employment(TimeStampedModel):
    """Ability to work and employment status of a person over a period."""

    class WorkAbility(models.TextChoices):
        FULL = "full", "有劳动能力"
        PARTIAL = "partial", "部分丧失劳动能力"
        NONE = "none", "完全丧失劳动能力"

    class Status(models.TextChoices):
        EMPLOYED = "employed", "受雇就业"
        FARMING = "farming", "务农"
        SELF_EMPLOYED = "self_employed", "个体经营"
        FLEXIBLE = "flexible", "灵活就业"
        UNEMPLOYED = "unemployed", "失业或无业"
        STUDENT = "student", "在校学生"
        RETIRED = "retired", "退休"
        OTHER = "other", "其他"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employments")
    work_ability = models.CharField("劳动能力", max_length=8, choices=WorkAbility.choices)
    status = models.CharField("就业状况", max_length=16, choices=Status.choices)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    started_on = models.DateField("起始日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["person_id", "-started_on", "id"]
        verbose_name = "就业与劳动能力"
        verbose_name_plural = "就业与劳动能力"
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="registry_employment_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.get_status_display()


class Source(models.TextChoices):
    DECLARED = "declared", "申报"
    VERIFIED = "verified", "核实"
    MATCHED = "matched", "比对"


class IncomeItem(TimeStampedModel):
    """One monthly income of a household (optionally of one member), in integer fen."""

    class Category(models.TextChoices):
        WAGE = "wage", "工资性收入"
        BUSINESS = "business", "经营净收入"
        PROPERTY = "property", "财产净收入"
        TRANSFER = "transfer", "转移净收入"
        OTHER = "other", "其他收入"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="incomes")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="incomes"
    )
    category = models.CharField("收入类别", max_length=10, choices=Category.choices)
    monthly_amount_fen = models.BigIntegerField("月收入（分）")
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    source = models.CharField(
        "来源", max_length=10, choices=Source.choices, default=Source.DECLARED
    )
    note = models.CharField("说明", max_length=200, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["household_id", "-started_on", "id"]
        verbose_name = "收入"
        verbose_name_plural = "收入"
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount_fen__gte=0), name="registry_income_amount_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="registry_income_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.monthly_amount_fen}"


class Asset(TimeStampedModel):
    class Kind(models.TextChoices):
        VEHICLE = "vehicle", "机动车辆"
        REAL_ESTATE = "real_estate", "房产"
        FINANCIAL = "financial", "存款及金融资产"
        BUSINESS = "business", "工商登记"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="assets")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    kind = models.CharField("财产类型", max_length=12, choices=Kind.choices)
    description = models.CharField("说明", max_length=200, blank=True)
    value_fen = models.BigIntegerField("价值（分）", default=0)
    count = models.PositiveIntegerField("数量", default=1)
    source = models.CharField(
        "来源", max_length=10, choices=Source.choices, default=Source.DECLARED
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["household_id", "kind", "id"]
        verbose_name = "家庭财产"
        verbose_name_plural = "家庭财产"
        constraints = [
            models.CheckConstraint(
                condition=Q(value_fen__gte=0), name="registry_asset_value_nonneg"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="registry_asset_count_nonneg"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Document(TimeStampedModel):
    """An uploaded file (pdf/jpg/png, ≤ 10 MB) stored under MEDIA_ROOT."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="documents")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    title = models.CharField("材料名称", max_length=100)
    file = models.FileField("文件", upload_to="registry/%Y/%m/", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["household_id", "-created_at"]
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=10 * 1024 * 1024), name="registry_document_size"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChangeEntry(models.Model):
    """Business-visible history of a household or person: who, when, what, old → new.

    Written by the same service call (and transaction) as the audit event; shown on the
    household page. Values of personal-information fields are stored masked.
    """

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="history"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="history"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    occurred_at = models.DateTimeField("时间", auto_now_add=True)
    action = models.CharField("操作", max_length=40)
    summary = models.CharField("摘要", max_length=200)
    changes = models.JSONField("变更内容", default=list, blank=True)  # [[label, old, new], ...]
    # the record the entry is about and the version the change produced, so that a refused
    # concurrent save can show what the other user changed since the version it was based on
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        indexes = [
            models.Index(fields=["household", "-occurred_at"], name="registry_change_hh"),
            models.Index(fields=["person", "-occurred_at"], name="registry_change_person"),
            models.Index(
                fields=["object_type", "object_id", "version"], name="registry_change_object"
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_creation(self) -> bool:
        """A new record: the history shows its values, not "（空） → value" for each."""
        return self.action.endswith((".create", ".add", ".upload"))
