#!/usr/bin/env python3
"""Set up and run Minzheng with nothing but Python ≥ 3.11 (and Node/npm for the front end).

    python3 dev.py demo    # set up, load the demo county, serve http://127.0.0.1:8000
    python3 dev.py test    # set up, run the whole test suite (SQLite unless DATABASE_URL is set)
    python3 dev.py lint    # ruff, migrations check, deploy check, mypy
    python3 dev.py bench   # run every benchmark, results under bench/results/

The virtual environment lives in .venv and is rebuilt when requirements.lock changes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".minzheng-lock-sha"


def say(msg: str) -> None:
    print(f"[minzheng] {msg}", flush=True)


def run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, **kw)


def ensure_python() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py itself may be started by an old python3
        sys.exit(f"Minzheng needs Python ≥ 3.11; this is {sys.version.split()[0]}")


def ensure_venv() -> None:
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        say("creating the virtual environment .venv")
        run([sys.executable, "-m", "venv", str(VENV)])
    say("installing Python packages from requirements.lock")
    run([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", "uv"])
    try:
        run([str(BIN / "uv"), "pip", "install", "-q", "--python", str(PY), "-r", str(LOCK)])
        run(
            [
                str(BIN / "uv"),
                "pip",
                "install",
                "-q",
                "--python",
                str(PY),
                "--no-deps",
                "-e",
                str(ROOT),
            ]
        )
    except (subprocess.CalledProcessError, FileNotFoundError):
        say("uv failed; falling back to pip")
        run([str(PY), "-m", "pip", "install", "-q", "-r", str(LOCK)])
        run([str(PY), "-m", "pip", "install", "-q", "--no-deps", "-e", str(ROOT)])
    STAMP.write_text(digest)


def ensure_node_modules() -> None:
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".minzheng-lock-sha"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(
            "npm is needed for the front-end packages (htmx, ECharts, Bootstrap): install Node.js"
        )
    say("installing front-end packages with npm ci")
    run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT)
    stamp.write_text(digest)


def minzheng(*args: str, env: dict[str, str] | None = None) -> None:
    run([str(BIN / "minzheng"), *args], cwd=ROOT, env=env)


def demo() -> None:
    env = {**os.environ, "MINZHENG_ENV": os.environ.get("MINZHENG_ENV", "demo")}
    os.environ.update(env)
    say("migrating the database (var/minzheng.sqlite3 unless DATABASE_URL is set)")
    minzheng("migrate", "--no-input", "-v", "0", env=env)
    minzheng("collectstatic", "--no-input", "-v", "0", env=env)
    say("loading the demo county")
    minzheng("demo", env=env)
    say("starting the task worker and the web server on http://127.0.0.1:8000  (Ctrl-C stops both)")
    worker = subprocess.Popen([str(BIN / "minzheng"), "worker"], cwd=ROOT, env=env)
    server = subprocess.Popen([str(BIN / "minzheng"), "serve", "--port", "8000"], cwd=ROOT, env=env)

    def stop(*_: object) -> None:
        for p in (server, worker):
            if p.poll() is None:
                p.terminate()
        for p in (server, worker):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while server.poll() is None and worker.poll() is None:
        time.sleep(1)
    stop()


def test(extra: list[str]) -> int:
    env = {**os.environ, "MINZHENG_ENV": "test"}
    args = (
        [str(PY), "-m", "pytest", *extra]
        if extra
        else [str(PY), "-m", "pytest", "-n", "2", "--dist", "loadgroup"]
    )
    return subprocess.run(args, cwd=ROOT, env=env).returncode


def lint() -> int:
    env = {
        **os.environ,
        "MINZHENG_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "minzheng.config.settings_test",
    }
    steps = [
        [str(BIN / "ruff"), "check", "src", "tests", "bench", "tools", "dev.py"],
        [str(BIN / "ruff"), "format", "--check", "src", "tests", "bench", "tools", "dev.py"],
        [str(BIN / "minzheng"), "makemigrations", "--check", "--dry-run"],
        [str(BIN / "mypy"), "src/minzheng"],
    ]
    deploy_env = {
        **os.environ,
        "MINZHENG_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MINZHENG_DATA_KEY": "ab" * 32,
        "ALLOWED_HOSTS": "minzheng.example",
        "MINZHENG_SSL_REDIRECT": "true",
        "DJANGO_SETTINGS_MODULE": "minzheng.config.settings",
    }
    rc = 0
    for cmd in steps:
        say(" ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd)))
        rc |= subprocess.run(cmd, cwd=ROOT, env=env).returncode
    say("check --deploy with production settings")
    rc |= subprocess.run(
        [str(BIN / "minzheng"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=deploy_env,
    ).returncode
    return rc


def bench(extra: list[str]) -> int:
    env = {**os.environ, "MINZHENG_ENV": "test"}
    return subprocess.run(
        [str(PY), str(ROOT / "bench" / "run.py"), *extra], cwd=ROOT, env=env
    ).returncode


def main() -> None:
    ensure_python()
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "lint", "bench", "setup"}:
        sys.exit(__doc__)
    cmd, extra = sys.argv[1], sys.argv[2:]
    ensure_venv()
    ensure_node_modules()
    if cmd == "demo":
        demo()
    elif cmd == "test":
        sys.exit(test(extra))
    elif cmd == "lint":
        sys.exit(lint())
    elif cmd == "bench":
        sys.exit(bench(extra))


if __name__ == "__main__":
    main()
