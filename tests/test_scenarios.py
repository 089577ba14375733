"""The same scenario on Telegram, Zalo and the console leaves the same database behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from config.settings import Settings
from tests.scenario_drivers import RUNNERS
from tests.scenario_dump import differences
from tests.scenario_runner import Outcome, load_scenario

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.mark.parametrize("name", sorted(path.stem for path in SCENARIOS.glob("*.yaml")))
async def test_a_scenario_leaves_the_same_database_on_every_channel(
    name: str, settings: Settings, clock: FixedClock, tmp_path: Path,
) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    outcomes: dict[str, Outcome] = {}
    start = clock.now()
    for channel, run in RUNNERS.items():
        clock.set(start)  # every channel starts at the same moment, on a database of its own
        (tmp_path / channel).mkdir()
        own = settings.model_copy(update={"database": tmp_path / channel / "thidua.db"})
        outcomes[channel] = await run(scenario, own, clock)

    checks = [f"{step.kind}: {step.value}" for step in scenario.steps
              if step.kind in ("expect", "receive")]
    for outcome in outcomes.values():  # every channel showed what the scenario expects
        assert outcome.checked == checks, outcome.channel
    report = differences({channel: outcome.dump for channel, outcome in outcomes.items()})
    assert not report, "the channels left different databases:\n" + report


async def test_update_and_status_records_what_was_reported(
    settings: Settings, clock: FixedClock,
) -> None:
    outcome = await RUNNERS["console"](
        load_scenario(SCENARIOS / "update_and_status.yaml"), settings, clock)
    dump = outcome.dump
    assert [(u["id"], u["unit_id"], u["task_id"], u["version"], u["status"], u["percent"],
             u["author_member_id"], u["on_behalf"], u["withdrawn_by"])
            for u in dump["progress_updates"]] == [
        (1, 3, 1, 1, "in_progress", 60, "<contact>", 0, None),
        (2, 3, 2, 1, "in_progress", 50, "<contact>", 0, "<contact>"),
        (3, 3, 1, 2, "in_progress", 80, "<contact>", 0, None),
        (4, 2, 2, 1, "done", 100, "<chair>", 1, None),
    ]
    assert dump["progress_updates"][0]["note"] == "Đã họp trù bị & phân công <chuẩn bị> hội nghị"
    assert [(m["external_id"], m["role"], m["unit_id"], m["display_name"])
            for m in dump["members"]] == [("<chair>", "chair", 1, "Trần Thị Nhân"),
                                          ("<contact>", "contact", 3, "Nguyễn Văn An")]
    assert [(i["role"], i["unit_id"], i["uses"], i["created_by"]) for i in dump["invites"]] == [
        ("chair", 1, 1, "cli"), ("contact", 3, 1, "<chair>")]
    assert [(a["actor"], a["action"]) for a in dump["audit_log"]][1:] == [
        ("cli", "invite.create"), ("<chair>", "invite.redeem"),
        ("<chair>", "invite.create"), ("<contact>", "invite.redeem"),
        ("member:<contact>", "update.record"), ("member:<contact>", "update.record"),
        ("member:<contact>", "update.record"), ("member:<contact>", "update.withdraw"),
        ("member:<chair>", "update.record"), ("<chair>", "conference.schedule"),
    ]
    assert [(a["unit_id"], a["answer"], a["attendee_name"], a["member_id"])
            for a in dump["conference_attendance"]] == [
        (3, "delegate", "Lê Thị Hoa", "<contact>")]
    assert sorted((o["chat_id"], o["status"]) for o in dump["outbox"]) == [
        ("<chair>", "sent"), ("<contact>", "sent")]


def test_differences_name_the_table_the_row_and_the_values() -> None:
    same = {"tasks": [{"id": 1, "title": "A"}]}
    changed = {"tasks": [{"id": 1, "title": "B"}], "meta": []}
    assert differences({"x": same, "y": same}) == ""
    assert differences({"x": same, "y": changed}).splitlines() == [
        "meta: x != y", "tasks: x != y", "  row 1: title: 'A' / 'B'"]


def test_a_step_must_name_a_person_and_one_thing_to_do(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("people: {a: {name: A, role: chair}}\n"
                    "steps:\n  - {as: a, say: /start, choose: Xong}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="step 1 is not understood"):
        load_scenario(path)
