from __future__ import annotations

from django.db import models


class Region(models.Model):
    """An administrative region (GB/T 2260 and the statistical division codes).

    The code is the primary key, so every region-scoped row stores the code of its region and
    a subtree is a prefix: ``region_id LIKE '340521104%'`` is 塘南镇 and all its villages.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县（区）"
        TOWN = "town", "乡镇（街道）"
        ZONE = "zone", "开发区（园区）"
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"

    PREFIX_LENGTH = {
        Level.PROVINCE: 2,
        Level.CITY: 4,
        Level.COUNTY: 6,
        Level.TOWN: 9,
        Level.ZONE: 9,
        Level.VILLAGE: 12,
        Level.COMMUNITY: 12,
    }

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_urban = models.BooleanField("城镇", default=False)
    is_synthetic = models.BooleanField(
        "名称为示例生成", default=False, help_text="名称为演示生成，非真实村（社区）名"
    )
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The code prefix shared by this region and every region below it."""
        return self.code[: self.PREFIX_LENGTH[self.Level(self.level)]]

    @property
    def county_code(self) -> str:
        return self.code[:6]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)
