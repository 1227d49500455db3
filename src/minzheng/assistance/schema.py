"""JSON Schema of the assessment input and output, generated from the models.

``python -m minzheng.assistance.schema docs/assess`` rewrites the published schemas;
``… docs/assess --examples`` also rewrites each ``examples/NAME.expected.json`` from
``examples/NAME.json`` (review the diff before committing it). Tests fail when the committed
files differ from what the models and the engine produce.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .decision import AssessResult
from .inputs import Application

INPUT_FILE = "assess-input.schema.json"
OUTPUT_FILE = "assess-output.schema.json"


def input_schema() -> dict[str, Any]:
    schema = Application.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Minzheng assess input (救助资格评估输入)"
    return schema


def output_schema() -> dict[str, Any]:
    schema = AssessResult.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Minzheng assess output (救助资格评估结果)"
    return schema


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in ((INPUT_FILE, input_schema()), (OUTPUT_FILE, output_schema())):
        path = directory / name
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


def expected_path(example: Path) -> Path:
    return example.with_name(example.stem + ".expected.json")


def example_inputs(directory: Path) -> list[Path]:
    return sorted(p for p in (directory / "examples").glob("*.json") if ".expected" not in p.name)


def write_examples(directory: Path) -> list[Path]:
    from .engine import assess

    written = []
    for example in example_inputs(directory):
        path = expected_path(example)
        result = assess(json.loads(example.read_text(encoding="utf-8")))
        path.write_text(dumps(result), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0] if args else "docs/assess")
    paths = write(target)
    if "--examples" in sys.argv:
        paths += write_examples(target)
    for path in paths:
        sys.stdout.write(f"{path}\n")
