"""Helpers for the registry data tests: valid synthetic ID numbers, import files, the importer.

(Not a conftest: the registry branch has its own tests/registry/conftest.py. Each test module
that imports a file defines its own ``importer`` fixture with ``make_importer``.)
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from minzheng.core.idnumber import check_char

HEADER = [
    "户编号",
    "与户主关系",
    "姓名",
    "公民身份号码",
    "性别",
    "民族",
    "出生日期",
    "村（社区）",
    "户口性质",
    "联系电话",
    "家庭住址",
]
TAOYUAN = "340521104201"  # 桃元村, 塘南镇 (town A)
SHIQIAO_VILLAGE = "340521103201"  # a village of 石桥镇 (town B)


def make_id(n: int, *, prefix: str = "340521", born: date | None = None, male: bool = True) -> str:
    """The n-th synthetic ID number: unique for n < 400 000, valid check character."""
    born = born or date(1950, 1, 1) + timedelta(days=n // 400)
    seq = (n % 400) * 2 + (1 if male else 0)
    first17 = f"{prefix}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


SURNAMES = "王张李陈刘杨吴徐周孙朱胡黄汪陶丁马许何高"
GIVEN = "国建明华德秀英兰芳桂伟强军勇杰丽娟静敏燕浩宇轩博文"


def name_for(h: int, m: int) -> str:
    """A plausible name for member m of household h (repeats are fine: names are not unique)."""
    given = GIVEN[(h * 7 + m) % len(GIVEN)] + GIVEN[(h * 13 + m * 3) % len(GIVEN)]
    return SURNAMES[h % len(SURNAMES)] + given


def household_rows(n_households: int, *, village: str = TAOYUAN, start: int = 0) -> list[list]:
    """Households of 1-4 members (head, spouse, children) with valid, distinct IDs."""
    rows: list[list] = []
    n = start
    for h in range(n_households):
        size = 1 + h % 4
        for m in range(size):
            male = m != 1
            relation = ("户主", "配偶", "长子", "次子")[m]
            rows.append(
                [
                    str(h + 1),
                    relation,
                    name_for(h, m),
                    make_id(n, male=male),
                    "男" if male else "女",
                    "汉族",
                    "",
                    village,
                    "",
                    "",
                    f"桃元村{h}号",
                ]
            )
            n += 1
    return rows


def write_xlsx(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("家庭成员")
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def make_importer(make_user):
    """A county programme officer, allowed to import anywhere in the county."""
    return make_user("importer", "programme_officer", "340521")
