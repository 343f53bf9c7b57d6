"""Drive the system's headless Chromium (Debian's `chromium` package) for the HTML report's
browser test and the docs' screenshot. Nothing is downloaded: without a browser, `find()`
returns None and callers skip.

The network is off for the page: every host resolves to nothing and every request goes to a
closed proxy; Chromium's network log records what the page asked for anyway (`page_requests`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless",
    "--no-sandbox",  # CI containers run as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
]


def find() -> str | None:
    """The browser to use: $LLM_PICK_CHROMIUM, else the first of NAMES on PATH."""
    given = os.environ.get("LLM_PICK_CHROMIUM")
    if given:
        return given if Path(given).exists() else shutil.which(given)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(browser: str, page: Path, extra: list[str], timeout: float = 90) -> tuple[str, Any]:
    """Load `page` (a file) once; returns (stdout, the network log as JSON)."""
    with tempfile.TemporaryDirectory(prefix="llm-pick-chromium-") as folder:
        netlog = Path(folder) / "net.json"
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--log-net-log={netlog}",
            *extra,
            page.resolve().as_uri(),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=folder
        )
        if done.returncode != 0:
            raise RuntimeError(f"{browser} exited {done.returncode}: {done.stderr[-2000:]}")
        log = json.loads(netlog.read_text()) if netlog.exists() else {"events": []}
        return done.stdout, log


def dump_dom(browser: str, page: Path) -> tuple[str, list[str]]:
    """The DOM after the page is rendered, and the URLs the page itself requested."""
    out, log = _run(browser, page, ["--dump-dom"])
    return out, page_requests(log)


def screenshot(browser: str, page: Path, png: Path, width: int = 1200, height: int = 1600) -> None:
    _run(browser, page, [f"--screenshot={png.resolve()}", f"--window-size={width},{height}"])
    if not png.exists():
        raise RuntimeError(f"{browser} wrote no screenshot")


def page_requests(log: Any) -> list[str]:
    """URLs requested on behalf of a page loaded from a file (the browser's own background
    traffic, such as update checks, has no origin and is not counted)."""
    names = {v: k for k, v in log.get("constants", {}).get("logEventTypes", {}).items()}
    urls = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        if names.get(event.get("type")) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        if params.get("initiator") != "not an origin" or "file://" in str(
            params.get("network_isolation_key", "")
        ):
            urls.append(str(params.get("url")))
    return urls
