"""高龄补贴: age bands from the parameters, from the month after the birthday (policy-rules §5)."""

from __future__ import annotations

from datetime import date

from ..decision import Award, Trace
from ..inputs import Application
from ..money import yuan
from ..parameters import AgeBand, Parameters
from .common import hukou_local
from .people import date_of_age, month_start, month_text, next_month

ARTICLE = "本县高龄补贴规定"


def band_start(birth: date, band: AgeBand, params: Parameters) -> date:
    """The first month paid at ``band``: the month after (or of) the birthday that opens it."""
    birthday = date_of_age(birth, band.min_age)
    return (
        next_month(birthday)
        if params.gaoling_start == "month_after_birthday"
        else month_start(birthday)
    )


def band_for_month(birth: date, month: date, params: Parameters) -> AgeBand | None:
    """The band paid in ``month`` (any day of it), or None before the first band starts."""
    current = None
    for band in params.gaoling_bands:
        if band_start(birth, band, params) <= month_start(month):
            current = band
    return current


def decide_gaoling(app: Application, params: Parameters, trace: Trace) -> Award:
    a = app.applicant
    hukou_local(app, trace, ARTICLE)
    first = params.gaoling_bands[0]
    start = band_start(a.birth_date, first, params)
    reached = date_of_age(a.birth_date, first.min_age)
    rule_text = "生日次月起" if params.gaoling_start == "month_after_birthday" else "生日当月起"
    eligible = reached <= app.application_date
    trace.check(
        eligible,
        "gaoling.age",
        ARTICLE,
        f"申请人出生于 {a.birth_date.isoformat()}，已于 {reached.isoformat()} 年满{first.min_age}周岁",
        f"申请人出生于 {a.birth_date.isoformat()}，将于 {reached.isoformat()} 年满{first.min_age}周岁，"
        f"自{month_text(start)}起可申请",
        birth_date=a.birth_date.isoformat(),
        reached=reached.isoformat(),
    )
    if trace.failed:
        return Award()
    month = max(month_start(app.application_date), start)
    band = band_for_month(a.birth_date, month, params)
    assert band is not None
    trace.info(
        "gaoling.band",
        ARTICLE,
        f"按{rule_text}执行：{month_text(month)}起按{band.label()}档发放 {yuan(band.amount_fen)} 元/月",
        band=band.label(),
        amount_fen=band.amount_fen,
        first_month=month.isoformat()[:7],
    )
    trace.step(f"高龄补贴（{band.label()}）", yuan(band.amount_fen), band.amount_fen)
    later = [b for b in params.gaoling_bands if b.min_age > band.min_age]
    if later:
        nxt = later[0]
        trace.notes.append(
            f"将于 {date_of_age(a.birth_date, nxt.min_age).isoformat()} 年满{nxt.min_age}周岁，"
            f"自{month_text(band_start(a.birth_date, nxt, params))}起按{nxt.label()}档 {yuan(nxt.amount_fen)} 元/月"
        )
    trace.notes.append("高龄补贴不计入特困人员收入（特困认定办法 第6条）")
    return Award(
        amount_fen=band.amount_fen,
        period="month",
        category=band.label(),
        summary=f"符合高龄补贴条件（{band.label()}），自{month_text(month)}起 {yuan(band.amount_fen)} 元/月",
    )
