"""Fixtures for report tests: the shared seed files and a hand-made county whose region
figures are known by construction."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The shared folder (seed report, metric definitions) lies beside the checkout in development
# and CI; MINZHENG_SHARED_DIR points elsewhere. A lone clone (a newcomer's) has none.
SHARED = Path(os.environ.get("MINZHENG_SHARED_DIR", REPO.parent / "shared"))
SEED_TXT = SHARED / "seed" / "work-report-2023.txt"
SEED_TEMPLATE_TXT = SHARED / "seed" / "work-report-2023.template.txt"
SEED_TEMPLATE_DOCX = SHARED / "seed" / "work-report-2023.template.docx"
METRICS_DOC = SHARED / "docs" / "work-report-metrics.md"

START, END = dt.date(2023, 1, 1), dt.date(2023, 9, 30)
ISSUED = dt.date(2023, 10, 8)


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (Debian poppler-utils) is not installed")
    return path


@pytest.fixture
def shared_file():
    def get(path: Path) -> Path:
        if not path.exists():
            message = f"the shared folder is expected at {SHARED}: {path} is missing"
            if os.environ.get("CI"):
                pytest.fail(message)  # CI always has it beside the clone
            pytest.skip(f"SEED FILES NOT FOUND, test not run: {message} (set MINZHENG_SHARED_DIR)")
        return path

    return get


@dataclass(frozen=True)
class HandMadeCounty:
    """试验县 349901: on 2023-09-30 it has 2 towns, 5 villages and 3 communities.

    甲镇 349901101: villages 201–203 and community 001 in force; village 204 abolished on
    2023-06-30; village 205 created on 2023-12-01 (so in force at the end of 2023 only).
    乙镇 349901102: villages 201–202 and communities 001–002.
    """

    code: str = "349901"
    town_a: str = "349901101"
    town_b: str = "349901102"
    towns: int = 2
    villages: int = 5
    communities: int = 3
    town_a_villages: int = 3
    town_b_villages: int = 2
    town_a_communities: int = 1
    town_b_communities: int = 2


@pytest.fixture
def county(db) -> HandMadeCounty:
    from minzheng.geo.models import Region

    L = Region.Level
    c = HandMadeCounty()
    county = Region.objects.create(code=c.code, name="试验县", level=L.COUNTY)
    a = Region.objects.create(code=c.town_a, name="甲镇", level=L.TOWN, parent=county)
    b = Region.objects.create(code=c.town_b, name="乙镇", level=L.TOWN, parent=county)
    rows = [
        (a, "201", "甲一村", L.VILLAGE, None, None),
        (a, "202", "甲二村", L.VILLAGE, None, None),
        (a, "203", "甲三村", L.VILLAGE, dt.date(2020, 1, 1), None),
        (a, "204", "甲四村", L.VILLAGE, None, dt.date(2023, 6, 30)),
        (a, "205", "甲五村", L.VILLAGE, dt.date(2023, 12, 1), None),
        (a, "001", "甲镇社区", L.COMMUNITY, None, None),
        (b, "201", "乙一村", L.VILLAGE, None, None),
        (b, "202", "乙二村", L.VILLAGE, None, None),
        (b, "001", "乙东社区", L.COMMUNITY, None, None),
        (b, "002", "乙西社区", L.COMMUNITY, None, None),
    ]
    for parent, suffix, name, level, since, until in rows:
        Region.objects.create(
            code=parent.code + suffix,
            name=name,
            level=level,
            parent=parent,
            valid_from=since,
            valid_to=until,
        )
    return c


@pytest.fixture
def report_of(db):
    """``report_of(code, start, end)``: the report of a region."""
    from minzheng.geo.models import Region
    from minzheng.reports.selectors import build_report

    def make(code: str, start: dt.date = START, end: dt.date = END, **kw):
        return build_report(region=Region.objects.get(code=code), start=start, end=end, **kw)

    return make
