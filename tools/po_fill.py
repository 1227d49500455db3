#!/usr/bin/env python3
"""Fill empty or fuzzy English entries of the catalogue from JSON files of translations.

    .venv/bin/python tools/po_fill.py src/minzheng/locale/en/LC_MESSAGES/django.po MAP.json ...

Each JSON file maps the Chinese msgid (as makemessages extracts it) to its English. An entry
that is empty or marked fuzzy takes the English from the maps (the fuzzy mark is dropped); an
entry already translated is left alone. Prints the msgids that are still empty or fuzzy.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines if line.startswith('"'))


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main() -> int:
    po = Path(sys.argv[1])
    english: dict[str, str] = {}
    for path in sys.argv[2:]:
        english.update(json.loads(Path(path).read_text(encoding="utf-8")))
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        try:
            i_id = next(i for i, ln in enumerate(lines) if ln.startswith("msgid "))
            i_str = next(i for i, ln in enumerate(lines) if ln.startswith("msgstr "))
        except StopIteration:
            out.append(block)
            continue
        msgid = unquote([lines[i_id][6:], *lines[i_id + 1 : i_str]])
        tail = [ln for ln in lines[i_str + 1 :] if ln.startswith('"')]
        msgstr = unquote([lines[i_str][7:], *tail])
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        if msgid and (not msgstr or fuzzy):
            if msgid in english:
                head = []
                for ln in lines[:i_str]:
                    if ln.startswith("#,") and "fuzzy" in ln:
                        flags = [f.strip() for f in ln[2:].split(",") if f.strip() != "fuzzy"]
                        if flags:
                            head.append("#, " + ", ".join(flags))
                    elif ln.startswith("#| "):
                        continue  # the previous msgid of a fuzzy match
                    else:
                        head.append(ln)
                lines = [*head, "msgstr " + quote(english[msgid])]
            else:
                missing.append(msgid)
        out.append("\n".join(lines))
    po.write_text("\n\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
    for m in missing:
        print("untranslated:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
