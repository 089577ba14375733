"""The vote is secret end to end: over real HTTP on the local Bot API server, with every log
at DEBUG, a unit's ballot leaves no trace that links the unit to its choice — not in the
inbox or processed updates, the conversations, the outbox, the audit log, the log lines or
any table but the ballot box, which names no voter."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.app.logs import SEALED_LINE, RedactSecrets, configure_logging
from bot.domain.clock import FixedClock
from bot.domain.sealed import seal
from config.database import DatabaseAddress
from config.settings import Settings
from storage.records import Role
from tests.botapi import FakeBotApi
from tests.conftest import SMALL_BLOC
from tests.databases import query, read_tables
from tests.e2e import make_invite, running_bot
from tests.test_vote import VOTE
from tests.zalo_e2e import ask, join, running_zalo_bot
from tests.zaloapi import FakeZaloApi

PUBLISHED = {"vote_receipts", "votes", "audit_log", "outbox"}


def _dump(database: DatabaseAddress) -> dict[str, str]:
    """Every table of the bot's database as text (what an operator can read)."""
    return {table: "\n".join(repr(tuple(row.values())) for row in rows)
            for table, rows in read_tables(database).items()}


async def test_no_record_and_no_log_line_links_a_unit_to_its_ballot(
    api: FakeBotApi, tg_settings: Settings, clock: FixedClock, small_bloc_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    small_bloc_file.write_text(SMALL_BLOC + VOTE, encoding="utf-8")
    chair_token = await make_invite(tg_settings, Role.CHAIR, "UDCN", clock=clock)
    voter_token = await make_invite(tg_settings, Role.CONTACT, "SHTT", clock=clock)
    chair, voter = api.user(81, "Trần"), api.user(82, "Nguyễn")
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", tg_settings.secrets())
        async with running_bot(tg_settings, clock):
            for person, token in ((chair, chair_token), (voter, voter_token)):
                api.send_text(person, f"/start {token}")
                await api.wait_for_message(person.id)
            api.send_text(chair, "/binhchon mo Viện ƯDCN, VP CNCL")
            await api.wait_for_message(chair.id, lambda m: "Đã mở" in (m.plain_text or ""))
            api.send_text(voter, "/binhchon")
            ballot = await api.wait_for_message(
                voter.id, lambda m: "PHIẾU BẦU KÍN" in (m.plain_text or ""))
            buttons = {label: data or "" for row in ballot.buttons for label, data in row}
            assert set(buttons) == {"Viện ƯDCN", "VP CNCL"}
            codes = {label: data.rsplit(" ", 1)[-1] for label, data in buttons.items()}
            api.press(voter, ballot, buttons["VP CNCL"])
            cast = await api.wait_for_message(
                voter.id, lambda m: "Mã biên nhận" in (m.plain_text or ""))
            found = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", cast.plain_text or "")
            assert found is not None
            receipt = found.group(0)
            assert "VP CNCL" not in (cast.plain_text or "")
            # the transaction that wrote the ballot beside the "has voted" row is folded
            # into the database and the journal emptied: no file holds the two side by side
            if isinstance(tg_settings.database, Path):  # (PostgreSQL: the ballot box below)
                journal = Path(f"{tg_settings.database}-wal")
                assert receipt.encode() not in (journal.read_bytes() if journal.exists()
                                                else b"")
            api.send_text(chair, "/binhchon dong xacnhan")
            result = await api.wait_for_message(
                chair.id, lambda m: "KẾT QUẢ" in (m.plain_text or ""))
        logged = capsys.readouterr().err
    finally:
        root.handlers[:] = kept[0]
        root.setLevel(kept[1])

    assert "1. VP CNCL: 1 phiếu" in (result.plain_text or "")
    assert receipt in (result.plain_text or "")  # the voter finds its ballot counted
    # the logs: DEBUG was on (the driver's lines and PTB's dumps of every call are there,
    # the ballot's buttons included), yet no code and no receipt
    assert "s:0:/binhchon <redacted>" in logged
    assert "aiosqlite" in logged or not isinstance(tg_settings.database, Path)
    for secret in (*codes.values(), receipt):
        assert secret not in logged
    # the database: the receipt is kept apart from the box, and names no candidate
    tables = _dump(tg_settings.database)
    for table, rows in tables.items():
        for code in codes.values():
            assert code not in rows, table
        assert "PHIẾU BẦU KÍN" not in rows and "PHI\\u1ebeU B\\u1ea6U" not in rows, table
        if table not in PUBLISHED:
            assert receipt not in rows, table
    # the receipt is only where every receipt is listed: the count of the round, as kept
    # and as announced (sorted, with no unit beside it)
    audit = query(tg_settings.database, "SELECT action FROM audit_log WHERE details LIKE ?",
                  (f"%{receipt}%",))
    assert audit == [("vote.close",)]
    assert tables["vote_voters"].count("(") == 1 and receipt in tables["vote_receipts"]
    assert receipt not in tables["vote_tallies"]  # the box: a count per candidate, no ballot
    assert "vote.cast" in tables["audit_log"] and "VP CNCL" not in tables["audit_log"]


def test_a_statement_on_the_ballot_box_and_a_sealed_code_never_reach_a_log_line() -> None:
    redact = RedactSecrets(["123:token-of-the-bot"]).redact
    seal("K7Q4M2")
    assert redact("executing UPDATE vote_tallies SET votes = votes + 1") == SEALED_LINE
    assert redact("data: s:0:/binhchon K7Q4M2") == "data: s:0:/binhchon <redacted>"


async def test_on_zalo_the_ballot_gives_each_candidate_a_command_to_type(
    zalo: FakeZaloApi, settings: Settings, clock: FixedClock, small_bloc_file: Path,
) -> None:
    small_bloc_file.write_text(SMALL_BLOC + VOTE, encoding="utf-8")
    chair, voter = zalo.user("Trần"), zalo.user("Nguyễn")
    async with running_zalo_bot(settings, zalo, clock) as bot:
        await join(zalo, bot.settings, clock, chair, Role.CHAIR, "UDCN")
        await join(zalo, bot.settings, clock, voter, Role.CONTACT, "SHTT")
        await ask(zalo, chair, "/binhchon mo Viện ƯDCN, VP CNCL", contains="Đã mở")
        ballot = await ask(zalo, voter, "/binhchon", contains="PHIẾU BẦU KÍN")
        lines = dict(re.findall(r"• (.+?): gõ (/binhchon [A-Z0-9]{6})", ballot.shown_text or ""))
        assert set(lines) == {"Viện ƯDCN", "VP CNCL"}
        # a typed number is not a vote: the ballot is no numbered menu
        assert "Trả lời bằng số" not in (ballot.shown_text or "")
        cast = await ask(zalo, voter, lines["Viện ƯDCN"].lower(), contains="Mã biên nhận")
        assert "Viện ƯDCN" not in (cast.shown_text or "")
        result = await ask(zalo, chair, "/binhchon dong xacnhan", contains="KẾT QUẢ")
    assert "1. Viện ƯDCN: 1 phiếu" in (result.shown_text or "")
    tables = _dump(settings.database)
    for code in (command.rsplit(" ", 1)[-1] for command in lines.values()):
        assert not any(code in rows or code.lower() in rows for rows in tables.values())
