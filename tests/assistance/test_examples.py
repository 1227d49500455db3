"""The published examples and schemas (docs/assess/) are what the engine and models produce."""

import io
import json
from pathlib import Path
from typing import get_args

import pytest
from django.core.management import call_command

from minzheng.assistance.engine import assess
from minzheng.assistance.inputs import Programme
from minzheng.assistance.schema import (
    INPUT_FILE,
    OUTPUT_FILE,
    dumps,
    example_inputs,
    expected_path,
    input_schema,
    output_schema,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "assess"
EXAMPLES = example_inputs(DOCS)


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_programme_has_an_example():
    covered = {load(p)["programme"] for p in EXAMPLES}
    assert covered == set(get_args(Programme))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_gives_its_committed_decision(example):
    assert assess(load(example)) == load(expected_path(example))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_command_prints_the_same_json(example):
    out = io.StringIO()
    expected = load(expected_path(example))
    if expected["ok"]:
        call_command("assess", str(example), stdout=out)
    else:
        with pytest.raises(SystemExit) as exc:
            call_command("assess", str(example), stdout=out)
        assert exc.value.code == 1
    assert out.getvalue() == dumps(expected)


def test_command_refuses_malformed_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"programme": ', encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("assess", str(bad), stdout=out)
    result = json.loads(out.getvalue())
    assert result["ok"] is False
    assert result["errors"][0]["message"].startswith("不是有效的 JSON")


def test_command_reports_a_missing_file(tmp_path):
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("assess", str(tmp_path / "nope.json"), stdout=out)
    assert "无法读取" in json.loads(out.getvalue())["errors"][0]["message"]


@pytest.mark.parametrize(
    ("name", "generate"), [(INPUT_FILE, input_schema), (OUTPUT_FILE, output_schema)]
)
def test_published_schema_is_up_to_date(name, generate):
    """Regenerate with ``python -m minzheng.assistance.schema docs/assess``."""
    assert (DOCS / name).read_text(encoding="utf-8") == dumps(generate())


def test_input_schema_names_the_fields_and_forbids_unknown_ones():
    schema = input_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "programme",
        "application_date",
        "region_code",
        "area",
        "members",
    }
    person = schema["$defs"]["Person"]["properties"]
    assert person["birth_date"]["format"] == "date"
