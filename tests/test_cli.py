"""The ``thidua`` command as an operator or a script uses it: real processes, real files."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.migrations import LATEST_VERSION
from tests.conftest import ROOT, SMALL_BLOC


def thidua(*args: str, stdin: str = "", env: dict[str, str] | None = None,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("THIDUA_") and k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot.app.cli", *args], input=stdin, capture_output=True, text=True,
        env={**clean, **(env or {})}, cwd=cwd or ROOT, timeout=60, check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "bloc.yaml").write_text(SMALL_BLOC, encoding="utf-8")
    return tmp_path


def test_run_without_token_says_how_to_get_one(workdir: Path) -> None:
    result = thidua("run", "--database", str(workdir / "x.db"), cwd=workdir)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "thidua demo" in result.stderr
    assert "ZALO_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_a_webhook_address_that_is_not_one_names_the_setting(workdir: Path) -> None:
    result = thidua("run", "--webhook", "ftp://bot.example.vn", "--database",
                    str(workdir / "x.db"), cwd=workdir, env={"ZALO_BOT_TOKEN": "z:123"})
    assert result.returncode == 2
    assert "THIDUA_WEBHOOK_URL" in result.stderr and "https://" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_webhook_secret_never_reaches_the_log(workdir: Path) -> None:
    secret = "s3cret-Value_0123456789"
    result = thidua("run", "--database", str(workdir / "x.db"), "--log-level", "DEBUG",
                    "--zalo-api-url", "http://127.0.0.1:9", cwd=workdir,
                    env={"ZALO_BOT_TOKEN": "z:0123456789abcdef", "THIDUA_WEBHOOK_SECRET": secret,
                         "THIDUA_BLOC_FILE": str(workdir / "bloc.yaml")})
    assert result.returncode == 1
    assert "Zalo Bot API" in result.stderr  # cannot reach the (closed) port: said in one line
    assert secret not in result.stderr + result.stdout
    assert "0123456789abcdef" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_scripted_demo_shows_the_example_blocs_tasks() -> None:
    result = thidua("demo", "--as", "chair", stdin="/nhiemvu\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Khối thi đua Văn phòng – Viện" in out
    assert "Kỷ cương, kết nối, đổi mới, thành công" in out
    assert "6. Đẩy mạnh công tác thông tin truyền thông" in out
    assert "Cả nước chung tay vì người nghèo" in out


def test_the_demo_plays_the_example_half_year_at_a_chosen_date() -> None:
    result = thidua("demo", "--as", "chair", "--today", "20/11/2023",
                    stdin="/tinhhinh\nĐóng\n/lichnhac\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the example bloc's illustrative deadline and year-end conference are ahead
    assert "Hạn báo cáo: Thứ Ba, 05/12/2023 — còn 15 ngày" in out
    assert "— nhắc hạn báo cáo (trước 7 ngày) — 13 đầu mối của 13 đơn vị chưa báo cáo đủ" in out
    assert "08:00 Thứ Tư, 20/12/2023 — nhắc hội nghị (sáng ngày hội nghị)" in out
    assert "WARNING" not in out and "INFO" not in out  # log lines stay off the console


def test_reminders_due_when_the_demo_starts_are_shown_at_once() -> None:
    # 7/12/2023, at whatever time of day: the report's deadline (5/12) has passed
    result = thidua("demo", "--as", "chair", "--today", "7/12/2023", stdin="")
    assert result.returncode == 0, result.stderr
    assert "Đã quá hạn báo cáo 6 tháng cuối năm 2023: còn 13 đơn vị chưa báo cáo đủ" in (
        result.stdout)
    assert "not running" not in result.stderr


def test_a_demo_date_that_is_not_one_is_refused_politely() -> None:
    result = thidua("demo", "--as", "chair", "--today", "31/02/2023", stdin="")
    assert result.returncode == 2
    assert "“31/02/2023” không phải là một ngày" in result.stderr


def test_demo_asks_who_you_are_and_switches_with_as() -> None:
    result = thidua("demo", stdin="SHTT\n/moi\n/as chair\n/moi\n2\n1\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Chọn vai trò để chạy thử" in out
    assert "Đầu mối Viện KHSHTT (demo)" in out
    assert "Lệnh /moi chỉ dành cho" in out  # the contact may not invite
    assert "  1. Đầu mối" in out  # the chair gets the numbered menu
    assert "Khối trưởng — Viện Ứng dụng công nghệ" in out  # role 2, validity 1 day
    assert re.search(r"/start [A-Za-z0-9_-]{20,}", out)


def test_demo_with_a_database_keeps_state_between_runs(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = thidua("demo", "--as", "SHTT", "--database", db, stdin="/ngonngu en\n")
    assert "Switched to English" in first.stdout
    second = thidua("demo", "--as", "SHTT", "--database", db, stdin="/nhiemvu\n")
    assert "Tasks for 6 tháng cuối năm 2023" in second.stdout
    throwaway = thidua("demo", "--as", "SHTT", stdin="/nhiemvu\n")
    assert "Nhiệm vụ 6 tháng cuối năm 2023" in throwaway.stdout


def test_invite_prints_a_token_and_the_deep_link(workdir: Path) -> None:
    common = ("--database", str(workdir / "bot.db"), "--bloc-file", str(workdir / "bloc.yaml"))
    result = thidua("invite", "--unit", "SHTT", "--role", "contact", "--expires", "2d",
                    "--bot-username", "thidua_bot", *common, cwd=workdir)
    assert result.returncode == 0, result.stderr
    token = re.search(r"Mã mời: (\S+)", result.stdout)
    assert token is not None
    assert f"https://t.me/thidua_bot?start={token[1]}" in result.stdout
    assert "dùng được 1 lần" in result.stdout
    head = thidua("invite", "--role", "head", "--unit", "SHTT", *common, cwd=workdir)
    assert head.returncode == 0, head.stderr
    assert "Lãnh đạo đơn vị — Viện Khoa học sở hữu trí tuệ" in head.stdout
    no_link = thidua("invite", "--role", "liaison", "--uses", "3", *common, cwd=workdir)
    assert "/start " in no_link.stdout and "dùng được 3 lần" in no_link.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (("--role", "contact"), "Cần ghi rõ đơn vị"),
    (("--role", "head"), "Cần ghi rõ đơn vị"),  # a unit head belongs to a unit too
    (("--role", "contact", "--unit", "NOPE"), "Không có đơn vị mã “NOPE”"),
    (("--role", "chair", "--unit", "SHTT"), "thuộc đơn vị UDCN"),
    (("--role", "contact", "--unit", "SHTT", "--expires", "forever"), "thời hạn hợp lệ"),
])
def test_invite_mistakes_are_explained(workdir: Path, args: tuple[str, ...],
                                       expected: str) -> None:
    result = thidua("invite", *args, "--database", str(workdir / "bot.db"),
                    "--bloc-file", str(workdir / "bloc.yaml"), cwd=workdir)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_db_migrate_creates_the_database_and_loads_the_bloc(workdir: Path) -> None:
    db = workdir / "sub" / "bot.db"
    result = thidua("db", "migrate", "--database", str(db), "--bloc-file",
                    str(workdir / "bloc.yaml"), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert db.exists() and f"phiên bản {LATEST_VERSION}" in result.stdout


def test_broken_bloc_file_is_refused_field_by_field(workdir: Path) -> None:
    broken = workdir / "broken.yaml"
    broken.write_text(SMALL_BLOC.replace("deputy: CNCL", "deputy: XYZ")
                      .replace("report_deadline: 5/12/2026", "report_deadline: 31/13/2026"),
                      encoding="utf-8")
    check = thidua("bloc", "check", str(broken), cwd=workdir)
    assert check.returncode == 2
    assert "2 lỗi" in check.stderr
    assert "periods[1].report_deadline: “31/13/2026” không phải là ngày hợp lệ" in check.stderr
    assert "“XYZ” không phải là mã của đơn vị nào" in check.stderr
    start = thidua("db", "migrate", "--database", str(workdir / "n.db"), "--bloc-file",
                   str(broken), cwd=workdir)
    assert start.returncode == 2 and "Traceback" not in start.stderr
    ok = thidua("bloc", "check", str(workdir / "bloc.yaml"), cwd=workdir)
    assert ok.returncode == 0 and "3 đơn vị" in ok.stdout


def test_a_database_that_is_not_sqlite_is_one_clear_line(workdir: Path) -> None:
    not_db = workdir / "notes.db"
    not_db.write_text("this is not a database\n" * 100, encoding="utf-8")
    for target in (not_db, workdir):
        result = thidua("db", "migrate", "--database", str(target), "--bloc-file",
                        str(workdir / "bloc.yaml"), cwd=workdir)
        assert result.returncode == 2, result.stderr
        assert "Không mở được cơ sở dữ liệu" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("THIDUA_TIMEZONE", "Asia/Hanoi_Nowhere", "Asia/Ho_Chi_Minh"),
    ("THIDUA_ADMIN_IDS", "abc", "cách nhau bằng dấu phẩy"),
    ("THIDUA_LANGUAGE", "fr", "vi hoặc en"),
])
def test_a_wrong_setting_is_named_with_a_hint(workdir: Path, name: str, value: str,
                                              expected: str) -> None:
    result = thidua("bloc", "check", str(workdir / "bloc.yaml"), env={name: value}, cwd=workdir)
    assert result.returncode == 2
    assert f"Cấu hình {name} không hợp lệ" in result.stderr and expected in result.stderr
    assert "pydantic" not in result.stderr


def test_demo_as_nobody_fails_and_as_prefix_is_not_a_switch() -> None:
    assert thidua("demo", "--as", "nobody", stdin="").returncode == 2
    out = thidua("demo", "--as", "SHTT", stdin="/asdf\n").stdout
    assert "Bot chưa hiểu lệnh /asdf" in out


def test_a_database_in_use_is_refused_to_a_demo_and_to_a_second_bot_by_any_path(
    workdir: Path,
) -> None:
    from storage.backup import running_lock

    db = workdir / "data" / "thidua.db"
    assert thidua("db", "migrate", "--database", str(db),
                  "--bloc-file", str(workdir / "bloc.yaml")).returncode == 0
    (workdir / "link.db").symlink_to(db)
    with running_lock(db):  # a bot is running on it
        demo = thidua("demo", "--as", "SHTT", "--database", str(workdir / "link.db"),
                      stdin="/nhiemvu\n")
        assert demo.returncode != 0
        assert "đang được một bot sử dụng" in demo.stderr
        run = thidua("run", "--database", str(workdir / "link.db"),
                     "--bloc-file", str(workdir / "bloc.yaml"),
                     env={"TELEGRAM_BOT_TOKEN": "123:abc",
                          "THIDUA_TELEGRAM_API_URL": "http://127.0.0.1:9"})
        assert run.returncode != 0
        assert "Đã có một bot đang chạy với cơ sở dữ liệu" in run.stderr
    members = sqlite3.connect(db).execute("SELECT COUNT(*) FROM members").fetchone()[0]
    assert members == 0  # the demo added none of its console people


def _read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A read-only file system when this machine lets root mount one, else a folder the
    kernel refuses files in (sysfs)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0 and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "none", str(folder)],
            capture_output=True, check=False).returncode == 0:
        try:
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=False)
        return
    yield Path("/sys/thidua-test")


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    yield from _read_only_folder(tmp_path)


def test_run_on_a_read_only_file_system_says_so_in_one_line(
    workdir: Path, read_only: Path,
) -> None:
    result = thidua("run", "--database", str(read_only / "thidua.db"),
                    "--bloc-file", str(workdir / "bloc.yaml"),
                    env={"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Không ghi được vào thư mục của cơ sở dữ liệu" in lines[0]


def test_the_demos_examples_are_dates_near_its_own_day() -> None:
    result = thidua("demo", "--as", "chair", "--today", "20/11/2023",
                    stdin="/hoinghi\nLên lịch hội nghị mới\nTổng kết\nHội nghị Tổng kết\n")
    assert result.returncode == 0, result.stderr
    # ten days after the demo's date, not a date of another year
    assert "Thời gian (ví dụ 30/11/2023 8h30, hoặc chỉ ngày 30/11/2023)?" in result.stdout


def test_an_option_is_taken_by_its_whole_name_only(workdir: Path) -> None:
    """``--bloc`` is not ``--bloc-file``, nor ``--per`` ``--period``: an abbreviation is
    refused, never read as the option it begins."""
    export = thidua("export", "xlsx", "--per", "2026-H2", "--out", str(workdir / "x.xlsx"),
                    cwd=workdir)
    assert export.returncode == 2 and "unrecognized arguments: --per 2026-H2" in export.stderr
    demo = thidua("demo", "--bloc", "all", cwd=workdir)
    assert demo.returncode == 2 and "unrecognized arguments: --bloc all" in demo.stderr


def test_json_logs_are_one_object_per_line_with_the_secrets_redacted(workdir: Path) -> None:
    secret = "s3cret-Value_0123456789"
    result = thidua("run", "--database", str(workdir / "x.db"), "--log-level", "DEBUG",
                    "--zalo-api-url", "http://127.0.0.1:9", cwd=workdir,
                    env={"ZALO_BOT_TOKEN": "z:0123456789abcdef", "THIDUA_WEBHOOK_SECRET": secret,
                         "THIDUA_BLOC_FILE": str(workdir / "bloc.yaml"),
                         "THIDUA_LOG_FORMAT": "json"})
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["level"] == "WARNING" and "connecting to Zalo failed" in line["message"]
               for line in lines)
    plain = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert any("Zalo Bot API" in line for line in plain)  # what the person reads: plain text
    assert secret not in result.stderr and "0123456789abcdef" not in result.stderr


def test_the_env_example_names_every_setting_with_its_default() -> None:
    """``.env.example`` lists every setting by the name the bot reads, with its default."""
    from config.settings import Settings

    # a setting whose mere presence changes behaviour is written commented out
    lines = [line.removeprefix("# ") for line in
             (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()]
    written = dict(line.split("=", 1) for line in lines
                   if re.fullmatch(r"(THIDUA|TELEGRAM|ZALO)_[A-Z_]+=.*", line))
    expected = {}
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        assert alias is not None and hasattr(alias, "choices")
        default = field.default
        expected[alias.choices[0]] = "" if default is None or default == frozenset() \
            else str(default)
    assert written == expected
