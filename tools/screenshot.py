#!/usr/bin/env python3
"""Log in as a demo user and screenshot pages, as a town officer would see them.

    .venv/bin/python tools/screenshot.py --base http://127.0.0.1:8100 --user tangnan \
        --out /tmp/shots / /workdays/?year=2024

Passwords (and TOTP secrets of administrators) come from var/demo-logins.json.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8100")
    p.add_argument("--user", required=True)
    p.add_argument("--out", default="var/shots")
    p.add_argument("--logins", default="var/demo-logins.json")
    p.add_argument("--width", type=int, default=1400)
    p.add_argument("--lang", default="", help="interface language to switch to, e.g. en")
    p.add_argument("paths", nargs="+")
    a = p.parse_args()
    entry = json.loads(Path(a.logins).read_text())[a.user]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": a.width, "height": 900})
        page.goto(a.base + "/accounts/login/")
        page.fill("input[name=username]", a.user)
        page.fill("input[name=password]", entry["password"])
        if "totp_secret" in entry:
            import base64

            from django_otp.oath import totp

            key = base64.b32decode(entry["totp_secret"])
            page.fill("input[name=otp_token]", f"{totp(key, t0=0, step=30, digits=6):06d}")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        if a.lang:
            page.get_by_test_id("language").select_option(a.lang)
            page.wait_for_function(f"document.documentElement.lang === {a.lang!r}")
        for path in a.paths:
            page.goto(a.base + path)
            page.wait_for_load_state("networkidle")
            stem = f"{a.user}{a.lang and '_' + a.lang}{path}"
            name = re.sub(r"[^a-zA-Z0-9]+", "_", stem).strip("_") + ".png"
            page.screenshot(path=str(out / name), full_page=True)
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main()
