"""Two app nodes (two gunicorn instances) against one PostgreSQL database and one shared upload folder: a log-in,
an upload, a released project, a new index version, log-in throttling and the near-duplicate check all carry from
one node to the other (scripts/two_nodes.py; run on its own for the per-check lines)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not URL.startswith("postgresql"), reason="two nodes share PostgreSQL (set TEST_DATABASE_URL)"),
]


def test_two_nodes_share_sessions_files_matches_and_limits():
    server = URL.rsplit("/", 1)[0]  # the script creates and drops a database of its own on this server
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "two_nodes.py"), "--server", server],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line for line in lines if line.startswith("FAIL")] == []
    assert sum(line.startswith("PASS") for line in lines) >= 13
    assert any(line.startswith("PASS") and "API requests split A/B" in line for line in lines)
