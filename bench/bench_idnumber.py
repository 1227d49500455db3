"""Resident ID numbers: parse-and-validate rate (numbers/s), pure Python, no database.

A fixed sample of 10 000 numbers (seeded): 80 % valid 18-digit numbers, 10 % old 15-digit
numbers (converted), 10 % with a wrong check character (rejected with a Chinese message).
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

NEEDS_DATABASE = False
SAMPLE = 10_000
COUNTIES = ["340521", "340503", "340504", "340506", "110105", "320102", "440305"]
TODAY = date(2026, 6, 1)


def _sample() -> list[str]:
    from minzheng.core.idnumber import CHECK_CHARS, check_char

    rng = random.Random(2026)
    out = []
    for i in range(SAMPLE):
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(90 * 365))
        seq = f"{rng.randrange(1000):03d}"
        if i % 10 == 8 and birth.year < 2000:  # an old 15-digit number
            out.append(rng.choice(COUNTIES) + birth.strftime("%y%m%d") + seq)
            continue
        first17 = rng.choice(COUNTIES) + birth.strftime("%Y%m%d") + seq
        check = check_char(first17)
        if i % 10 == 9:  # a typing error in the check character
            check = next(c for c in CHECK_CHARS if c != check)
        out.append(first17 + check)
    return out


def run(ctx: Any) -> dict[str, Any]:
    from minzheng.core.idnumber import IdNumberError, parse_resident_id

    numbers = _sample()
    parsed = rejected = 0
    started = time.perf_counter()
    deadline = started + ctx.seconds
    rounds = 0
    while rounds == 0 or time.perf_counter() < deadline:
        for raw in numbers:
            try:
                parse_resident_id(raw, today=TODAY)
                parsed += 1
            except IdNumberError:
                rejected += 1
        rounds += 1
    elapsed = time.perf_counter() - started
    total = parsed + rejected
    return {
        "sample": SAMPLE,
        "rounds": rounds,
        "numbers_per_s": round(total / elapsed, 1),
        "us_per_number": round(elapsed / total * 1e6, 2),
        "rejected_share": round(rejected / total, 3),
    }
