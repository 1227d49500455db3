"""流浪乞讨人员救助 (vagrant and beggar rescue): the county rescue station's cases.

A case is one reception: when and where the person was found, who they are (a person of the
registry, or an unidentified record with a description), the services given with the money
spent on each (integer fen), how the stay ended (escorted home, transferred, left), and the
follow-up visits that try to prevent a return to the street. Region-scoped by the place found.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from minzheng.core.models import TimeStampedModel


class RescueCase(TimeStampedModel):
    class Source(models.TextChoices):
        POLICE = "police", "公安机关护送"
        CITY = "city", "城管执法部门护送"
        PATROL = "patrol", "街面巡查发现"
        SELF = "self", "本人主动求助"
        PUBLIC = "public", "群众报告"
        OTHER = "other", "其他"

    class Identity(models.TextChoices):
        IDENTIFIED = "identified", "身份已查明"
        UNIDENTIFIED = "unidentified", "身份不明"

    class Status(models.TextChoices):
        IN_CARE = "in_care", "站内救助中"
        ESCORTED = "escorted", "已护送返乡"
        TRANSFERRED = "transferred", "已转介安置"
        LEFT = "left", "自行离站"

    case_number = models.CharField("案件编号", max_length=20, unique=True, null=True, blank=True)
    received_on = models.DateField("接收日期", db_index=True)
    found_place = models.CharField("发现地点", max_length=200)
    region = models.ForeignKey(
        "geo.Region", verbose_name="发现地所属区划", on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    source = models.CharField("来站方式", max_length=10, choices=Source.choices)
    identity = models.CharField(
        "身份", max_length=14, choices=Identity.choices, default=Identity.UNIDENTIFIED
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stated_name = models.CharField("自报姓名", max_length=50, blank=True)
    apparent_sex = models.CharField("性别（目测）", max_length=1, blank=True)  # GB/T 2261.1
    apparent_age = models.PositiveSmallIntegerField("年龄（估计）", null=True, blank=True)
    description = models.TextField("体貌特征及情况", blank=True)
    hometown_stated = models.CharField("自述籍贯", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.IN_CARE, db_index=True
    )
    outcome_on = models.DateField("离站日期", null=True, blank=True)
    destination = models.CharField("护送或转介去向", max_length=200, blank=True)
    outcome_note = models.CharField("离站说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "流浪乞讨救助案件"
        verbose_name_plural = "流浪乞讨救助案件"
        constraints = [
            models.CheckConstraint(
                condition=~Q(identity="identified") | Q(person__isnull=False),
                name="rescue_identified_has_person",
            ),
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("received_on")),
                name="rescue_outcome_after_reception",
            ),
        ]
        indexes = [models.Index(fields=["region", "received_on"], name="rescue_case_region")]

    def __str__(self) -> str:
        return self.case_number or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        if self.person_id and self.person:
            return self.person.name
        return self.stated_name or "身份不明人员"


class RescueService(models.Model):
    """One service given in a case, with the money it cost (integer fen)."""

    class Kind(models.TextChoices):
        MEAL = "meal", "饮食"
        LODGING = "lodging", "住宿"
        MEDICAL = "medical", "医疗救治"
        CLOTHING = "clothing", "衣物"
        TICKET = "ticket", "返乡车票"
        OTHER = "other", "其他"

    case = models.ForeignKey(RescueCase, on_delete=models.PROTECT, related_name="services")
    kind = models.CharField("服务项目", max_length=10, choices=Kind.choices)
    provided_on = models.DateField("服务日期", db_index=True)
    quantity = models.PositiveIntegerField("数量", default=1)
    amount_fen = models.BigIntegerField("金额（分）")
    note = models.CharField("说明", max_length=200, blank=True)
    county_code = models.CharField("县级区划代码", max_length=6, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "provided_on", "id"]
        verbose_name = "救助服务"
        verbose_name_plural = "救助服务"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="rescue_service_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen}"


class FollowUpVisit(TimeStampedModel):
    """A visit after the person went home, to prevent a return to the street."""

    class Method(models.TextChoices):
        HOME = "home", "入户回访"
        PHONE = "phone", "电话回访"
        ENTRUSTED = "entrusted", "委托当地民政回访"

    case = models.ForeignKey(RescueCase, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("回访日期")
    method = models.CharField("回访方式", max_length=10, choices=Method.choices)
    situation = models.CharField("回访情况", max_length=300)
    returned_to_street = models.BooleanField("再次流浪", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case_id", "visited_on", "id"]
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"

    def __str__(self) -> str:
        return f"{self.case_id} {self.visited_on}"
