"""The deployment kit: the systemd unit is one systemd accepts (``systemd-analyze verify``,
where systemd is installed), and runs the commands the CLI has."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.cli import build_parser
from tests.conftest import ROOT

UNIT = ROOT / "deploy" / "thidua.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """Verified with the installed paths pointed at this checkout's ``thidua`` (verify checks
    that the command exists)."""
    here = Path(sys.executable).parent / "thidua"
    unit = tmp_path / "thidua.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(
        "/opt/thidua/.venv/bin/thidua", str(here)), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_unit_runs_commands_the_cli_has() -> None:
    verbs = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith(("ExecStart=", "ExecStartPre=")):
            command = line.split("=", 1)[1].split()
            assert command[0].endswith("/thidua") and command[1] in verbs, line
