from __future__ import annotations

from django.db import models


class CalendarDay(models.Model):
    """A date that differs from the ordinary week: an official holiday on a weekday, a
    make-up working day (调休上班) on a weekend, or a holiday falling on a weekend.

    Shipped for 2020–2026 from the State Council's announcements; the system administrator
    adds each new year's arrangement when it is published (usually in the autumn before).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("名称", max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
