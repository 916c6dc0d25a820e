"""Debian's headless Chromium under playwright, launched one way for every browser test (never downloaded)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("RUNBACK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}


def launched_chromium() -> Iterator[Any]:
    """Yield a launched browser (the body of a module-scoped ``browser`` fixture); skip when there is none."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"headless Chromium not found at {CHROMIUM} (scripts/test.sh installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              args=ARGS)
        yield b
        b.close()
