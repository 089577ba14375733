"""The bloc file: a YAML description of one emulation bloc, validated by pydantic.

A secretary edits this file, so every mistake is reported as a :class:`Problem`
(where, what kind, with which value) that the bot renders in the reader's
language; nothing here formats user-facing text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from config.awards import AwardsConfig
from config.covenant import ALL_UNITS, CovenantConfig
from config.criteria import CriteriaConfig, ScoringConfig
from config.fields import Code, Day, DayOrMoment, Strict, Text, no_duplicates
from config.handover import HandoverConfig
from config.reminder_plan import DaysBefore, ReminderPlanConfig, parse_weekly
from config.vote import VoteConfig

__all__ = [
    "BlocConfig",
    "BlocFileError",
    "ConferenceConfig",
    "ConferenceKind",
    "LiaisonConfig",
    "PeriodConfig",
    "Problem",
    "TaskConfig",
    "UnitConfig",
    "load_bloc_file",
    "parse_bloc_text",
    "parse_weekly",
]

class ConferenceKind(StrEnum):
    """What a conference reviews."""

    MIDYEAR = "so_ket"
    YEAR_END = "tong_ket"
    THEMATIC = "chuyen_de"
    OTHER = "khac"


class UnitConfig(Strict):
    """A member unit; ``code`` is its stable key (history hangs on it)."""

    code: Code
    name: Text
    short_name: Text
    aliases: tuple[str, ...] = ()


class SignerConfig(Strict):
    """Who signs the bloc's reports as its head: their position and name."""

    name: Text
    title: Text


class LiaisonConfig(Strict):
    """The ministry department that oversees the bloc (reads, never writes)."""

    organisation: Text
    person: str | None = None
    title: str | None = None


class TaskConfig(Strict):
    """One item of a period's task list; ``code`` keeps it stable across edits."""

    code: Code
    title: Text
    description: str | None = None
    deadline: DayOrMoment | None = None


class PeriodConfig(Strict):
    """A half-year (or any span) with its task list and report deadline."""

    code: Code
    title: Text
    start: Day
    end: Day
    report_deadline: DayOrMoment | None = None
    reminder_days: tuple[DaysBefore, ...] | None = None  # None: the bloc's plan
    tasks: tuple[TaskConfig, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> PeriodConfig:
        if self.end < self.start:
            raise PydanticCustomError(
                "end_before_start", "end before start",
                {"start": self.start.isoformat(), "end": self.end.isoformat()},
            )
        no_duplicates("tasks", [task.code for task in self.tasks])
        return self


class ConferenceConfig(Strict):
    """A review conference of the bloc."""

    code: Code
    kind: ConferenceKind
    title: Text
    when: DayOrMoment
    place: str | None = None
    agenda: tuple[str, ...] = ()
    report_deadline: DayOrMoment | None = None
    reminder_days: tuple[DaysBefore, ...] | None = None  # None: the bloc's plan
    reminder_hours: int | None = Field(default=None, ge=1, le=72)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        allowed = [kind.value for kind in ConferenceKind]
        if value not in allowed:
            raise PydanticCustomError(
                "not_one_of", "not one of", {"value": str(value), "allowed": ", ".join(allowed)}
            )
        return value


class BlocConfig(Strict):
    """The whole bloc file."""

    code: Code
    name: Text
    ministry: Text
    year: int = Field(ge=2000, le=2100)
    theme: str | None = None
    timezone: str | None = None  # None: THIDUA_TIMEZONE (default Asia/Ho_Chi_Minh)
    chair: Code
    deputy: Code | None = None
    signer: SignerConfig | None = None
    liaison: LiaisonConfig | None = None
    units: tuple[UnitConfig, ...] = Field(min_length=1)
    movements: tuple[Text, ...] = ()
    periods: tuple[PeriodConfig, ...] = ()
    conferences: tuple[ConferenceConfig, ...] = ()
    reminders: ReminderPlanConfig = Field(default_factory=ReminderPlanConfig)
    groups: dict[str, str] = Field(default_factory=dict)
    """The bloc's group chat on each channel, e.g. ``{telegram: "-1001234567890"}``."""
    announce_updates: bool = False
    """Tell the group when a unit submits an update."""
    criteria: CriteriaConfig | None = None
    """The year's criteria table (bảng tiêu chí chấm điểm), see :mod:`config.criteria`."""
    scoring: ScoringConfig | None = None
    """The year's self-scoring window and ranking rules."""
    vote: VoteConfig | None = None
    """The year's vote for the leading unit (bình xét, suy tôn), see :mod:`config.vote`."""
    covenant: CovenantConfig | None = None
    """The year's emulation covenant (giao ước thi đua), see :mod:`config.covenant`."""
    awards: AwardsConfig | None = None
    """The year's commendation proposals (đề nghị khen thưởng), see :mod:`config.awards`."""
    handover: HandoverConfig | None = None
    """How the offices pass to the next year (chuyển giao), see :mod:`config.handover`."""

    @field_validator("groups", mode="before")
    @classmethod
    def _group_ids(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(channel): str(chat) for channel, chat in value.items()}
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError("unknown_timezone", "unknown", {"value": value}) from None
        return value

    @model_validator(mode="after")
    def _check(self) -> BlocConfig:
        no_duplicates("units", [unit.code for unit in self.units])
        no_duplicates("periods", [period.code for period in self.periods])
        no_duplicates("conferences", [conf.code for conf in self.conferences])
        codes = {unit.code for unit in self.units}
        for role in ("chair", "deputy"):
            value = getattr(self, role)
            if value is not None and value not in codes:
                raise PydanticCustomError(
                    "unknown_unit", "unknown unit",
                    {"field": role, "value": value, "known": ", ".join(sorted(codes))},
                )
        if self.deputy is not None and self.deputy == self.chair:
            raise PydanticCustomError("chair_is_deputy", "same unit", {"value": self.chair})
        self._check_scoring()
        if self.handover is not None:
            no_duplicates("handover.order", list(self.handover.order))
            for code in self.handover.order:
                if code not in codes:
                    raise PydanticCustomError("unknown_unit", "unknown unit", {
                        "field": "handover.order", "value": code,
                        "known": ", ".join(sorted(codes))})
        if self.covenant is not None:
            for key in self.covenant.targets:
                if key != ALL_UNITS and key not in codes:
                    raise PydanticCustomError("unknown_unit", "unknown unit", {
                        "field": "covenant.targets", "value": key,
                        "known": ", ".join([ALL_UNITS, *sorted(codes)])})
        return self

    def _check_scoring(self) -> None:
        if self.scoring is None:
            return
        if self.criteria is None:
            raise PydanticCustomError("scoring_without_criteria", "no criteria", {})
        groups = [group.code for group in self.criteria.groups]
        for rule in self.scoring.tie_break:
            if rule.startswith("group:") and rule.removeprefix("group:") not in groups:
                raise PydanticCustomError("unknown_group", "unknown group", {
                    "field": "scoring.tie_break", "value": rule.removeprefix("group:"),
                    "known": ", ".join(groups)})

    def unit(self, code: str) -> UnitConfig:
        """The unit with this code (raises ``KeyError``)."""
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)


@dataclass(frozen=True)
class Problem:
    """One mistake in a bloc file: where it is, its kind, and the values to show."""

    location: tuple[str | int, ...]
    kind: str
    params: dict[str, str] = field(default_factory=dict)

    def where(self) -> str:
        """``units[3].code``, counting list items from 1 as a reader does."""
        text = ""
        for part in self.location:
            text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


class BlocFileError(Exception):
    """The bloc file cannot be used; ``problems`` says every reason found."""

    def __init__(self, path: Path | None, problems: list[Problem]) -> None:
        super().__init__(f"{path}: {len(problems)} problem(s)")
        self.path = path
        self.problems = problems


_PYDANTIC_KINDS = {
    "missing": "missing",
    "extra_forbidden": "unknown_field",
    "string_type": "not_text",
    "int_parsing": "not_a_number",
    "int_type": "not_a_number",
    "int_from_float": "not_a_number",
    "greater_than_equal": "out_of_range",
    "greater_than": "out_of_range",
    "less_than": "out_of_range",
    "decimal_parsing": "not_a_number",
    "decimal_type": "not_a_number",
    "decimal_max_places": "too_many_decimals",
    "bool_parsing": "not_yes_no",
    "bool_type": "not_yes_no",
    "less_than_equal": "out_of_range",
    "string_too_short": "empty",
    "too_short": "empty",
    "tuple_type": "not_a_list",
    "list_type": "not_a_list",
    "model_type": "not_a_mapping",
    "model_attributes_type": "not_a_mapping",
}


def _problems_from(error: ValidationError) -> list[Problem]:
    problems = []
    errors = error.errors()
    failed_inside = {tuple(item["loc"][:-1]) for item in errors if len(item["loc"]) > 1}
    for item in errors:
        kind = item["type"]
        if kind == "too_short" and any(
                inner[:len(item["loc"])] == tuple(item["loc"]) for inner in failed_inside):
            continue  # pydantic counts the failed items out: "empty" would be untrue
        ctx = {key: str(value) for key, value in (item.get("ctx") or {}).items()}
        if kind in _PYDANTIC_KINDS:
            kind = _PYDANTIC_KINDS[kind]
            if "input" in item and not isinstance(item["input"], dict | list):
                ctx.setdefault("value", str(item["input"]))
        elif kind not in {
            "not_a_date", "bad_code", "not_one_of", "unknown_timezone", "unknown_unit", "bad_hours",
            "bad_weekly", "not_a_saturday",
            "chair_is_deputy", "duplicate_code", "end_before_start", "code_needs_quotes",
            "group_sum_differs", "item_over_cap", "criteria_total_differs",
            "scoring_without_criteria", "unknown_group", "leading_form",
        }:
            ctx.setdefault("detail", item["msg"])
            kind = "invalid"
        location = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        if kind in {"unknown_unit", "duplicate_code", "unknown_group"} and "field" in ctx:
            location += (ctx["field"],)  # a whole-model check names the field it is about
        problems.append(Problem(location, kind, ctx))
    return problems


class _TextDatesLoader(yaml.SafeLoader):
    """A safe loader that leaves ``2023-07-13`` as text.

    PyYAML would turn it into a date itself and crash with a bare ``ValueError``
    on an impossible one (``2023-11-31``); our own parser reports it instead,
    with the field it is in.
    """


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_bloc_text(text: str, path: Path | None = None) -> BlocConfig:
    """Validate a bloc file's text; raise :class:`BlocFileError` on any mistake."""
    try:
        data = yaml.load(text, Loader=_TextDatesLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = str(mark.line + 1) if mark is not None else "?"
        raise BlocFileError(path, [Problem((), "invalid_yaml", {"line": line})]) from None
    except RecursionError:  # lists in lists thousands deep: no bloc file looks like that
        raise BlocFileError(path, [Problem((), "too_deep", {})]) from None
    if not isinstance(data, dict):
        raise BlocFileError(path, [Problem((), "not_a_mapping", {})])
    try:
        return BlocConfig.model_validate(data)
    except RecursionError:
        raise BlocFileError(path, [Problem((), "too_deep", {})]) from None
    except ValidationError as exc:
        problems = _problems_from(exc)
        seen = {(problem.location, problem.kind) for problem in problems}
        extra = [p for p in _cross_reference_problems(data) if (p.location, p.kind) not in seen]
        raise BlocFileError(path, problems + extra) from None


def _cross_reference_problems(data: dict[str, Any]) -> list[Problem]:
    """The whole-file checks, run on the raw data too.

    Pydantic skips a model's own checks once a field is wrong; a secretary should
    still hear about a wrong chair or a repeated code in the same pass.
    """
    units = data.get("units")
    if not isinstance(units, list):
        return []
    codes = [str(unit.get("code")) for unit in units if isinstance(unit, dict) and "code" in unit]
    if not codes:
        return []  # "units" itself is reported; naming no known codes would add nothing
    problems = []
    repeated = sorted(code for code, count in Counter(codes).items() if count > 1)
    if repeated:
        problems.append(Problem(("units",), "duplicate_code",
                                {"field": "units", "value": ", ".join(repeated)}))
    for role in ("chair", "deputy"):
        value = data.get(role)
        if value is not None and str(value) not in codes:
            problems.append(Problem((role,), "unknown_unit", {
                "field": role, "value": str(value), "known": ", ".join(sorted(set(codes))),
            }))
    return problems


def load_bloc_file(path: Path) -> BlocConfig:
    """Read and validate the bloc file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BlocFileError(path, [Problem((), "file_not_found", {"value": str(path)})]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BlocFileError(path, [Problem((), "unreadable", {"value": str(exc)})]) from None
    return parse_bloc_text(text, path)
