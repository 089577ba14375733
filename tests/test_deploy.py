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


def test_the_postgresql_compose_runs_two_processes_on_one_database_and_one_files_folder(
) -> None:
    import yaml

    from config.settings import Settings

    compose = yaml.safe_load((ROOT / "deploy" / "compose.postgresql.yaml").read_text())
    bots = {name: service for name, service in compose["services"].items()
            if name.startswith("thidua")}
    assert len(bots) == 2
    environments = [service["environment"] for service in bots.values()]
    assert all(env == environments[0] for env in environments)  # the same settings
    settings = Settings(database=environments[0]["THIDUA_DATABASE"])
    assert str(settings.database).startswith("postgresql://thidua@postgres")
    for service in bots.values():  # the files folder is one volume, mounted by both
        assert f"files:{environments[0]['THIDUA_FILES_DIR']}" in service["volumes"]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    ports = {port for service in bots.values() for port in service["ports"]}
    assert len(ports) == 2  # each behind the reverse proxy on its own port
    # the webhook secret both must check is the operator's, in .env (required: see serve)
    assert "THIDUA_WEBHOOK_SECRET" in (ROOT / "deploy" / "compose.postgresql.yaml").read_text()
