"""The metric registry: the catalogue covers the report, apps plug in, mistakes are refused."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from minzheng.reports.registry import Column, Kind, Registry, load_catalogue, load_domains, registry

from .conftest import METRICS_DOC, SEED_TEMPLATE_TXT


def documented_keys(text: str) -> list[str]:
    keys = []
    for line in text.splitlines():
        m = re.match(r"^\|\s*([a-z_]+\.[a-z_]+(?:\s*/\s*[a-z_]+\.[a-z_]+)*)\s*\|", line)
        if m:
            keys += [k.strip() for k in m.group(1).split("/")]
    return keys


def test_every_key_of_the_metrics_document_is_in_the_catalogue(shared_file):
    keys = documented_keys(shared_file(METRICS_DOC).read_text(encoding="utf-8"))
    assert len(keys) >= 40  # the parser found the table
    catalogue = {d.key for d in load_catalogue()}
    assert [k for k in keys if k not in catalogue] == []
    assert sorted(catalogue) == sorted(keys)  # and nothing invented


def test_every_placeholder_of_the_seed_template_is_in_the_catalogue(shared_file):
    text = shared_file(SEED_TEMPLATE_TXT).read_text(encoding="utf-8")
    placeholders = set(re.findall(r"\{\{\s*([\w.]+)\s*\}\}", text))
    assert len(placeholders) == 33
    assert placeholders - {d.key for d in load_catalogue()} == set()


#: catalogue figures whose domain module exists
CONNECTED = {
    "assistance.dibao_households": "assistance",
    "assistance.dibao_persons": "assistance",
    "assistance.tekun_persons": "assistance",
    "assistance.funds_total_wan": "payments",
    "assistance.funds_by_program_wan": "payments",
}


def test_seed_keys_are_not_connected_until_their_domain_exists():
    for d in load_catalogue():
        assert registry.get(d.key).implemented == (d.key in CONNECTED), d.key


def test_geo_metrics_are_discovered_from_the_geo_apps_metrics_module():
    for key in ("geo.towns", "geo.villages", "geo.communities"):
        metric = registry.get(key)
        assert metric.implemented and metric.has_drilldown
        assert metric.compute is not None and metric.compute.__module__.startswith("minzheng.")
        assert metric.records is not None and metric.records.__module__ == "minzheng.geo.metrics"


def test_money_and_share_keys_have_money_and_percent_kinds():
    for d in load_catalogue():
        if d.unit == "万元":
            assert d.kind in {Kind.MONEY, Kind.MONEY_MAP}, d.key
        if d.unit == "%":
            assert d.kind == Kind.PERCENT, d.key


def fresh() -> Registry:
    return Registry(catalogue=load_catalogue(), domains=load_domains())


def _records(scope):  # pragma: no cover - never called
    raise AssertionError


def test_a_catalogue_key_cannot_change_its_unit():
    with pytest.raises(ImproperlyConfigured, match="unit"):
        fresh().register("marriage.marriages", compute=lambda s: 1, unit="件")


def test_a_key_outside_the_catalogue_must_say_what_it_is():
    with pytest.raises(ImproperlyConfigured, match="label, unit and kind"):
        fresh().register("geo.hamlets", compute=lambda s: 1)


def test_a_key_must_belong_to_a_known_domain():
    with pytest.raises(ImproperlyConfigured, match="domain"):
        fresh().register(
            "weather.rain_days", compute=lambda s: 1, label="雨", unit="天", kind=Kind.COUNT
        )


def test_a_metric_cannot_be_registered_twice():
    reg = fresh()
    reg.register("marriage.marriages", compute=lambda s: 1)
    with pytest.raises(ImproperlyConfigured, match="twice"):
        reg.register("marriage.marriages", compute=lambda s: 2)


def test_money_needs_a_compute_function_records_alone_count():
    with pytest.raises(ImproperlyConfigured, match="compute"):
        fresh().register("funeral.waiver_wan", records=_records, columns=(Column("id", "编号"),))


def test_a_drilldown_needs_its_columns():
    with pytest.raises(ImproperlyConfigured, match="columns"):
        fresh().register("marriage.marriages", records=_records)


def test_temporary_registrations_are_undone():
    with registry.temporarily() as reg:
        reg.register("marriage.marriages", compute=lambda s: 7)
        assert registry.get("marriage.marriages").implemented
    assert not registry.get("marriage.marriages").implemented
