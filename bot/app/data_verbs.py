"""The ``thidua`` verbs that look after the data rather than run the bot: ``db migrate``,
``export``, ``backup``, ``restore`` and ``bloc check``. Each says how it went in one line of
the catalog's words and returns the command's exit status (:mod:`bot.app.cli` parses the
command line and calls them).
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app.runtime import Runtime, open_runtime
from bot.domain.i18n import catalog
from bot.domain.scoring import format_points
from bot.services.blocfile import bloc_files, render_problems
from config.bloc import BlocFileError, load_bloc_file
from config.database import HIDDEN, ServerDatabase, hide_password
from config.settings import Settings
from storage.backup import BackupError, backup, restore, running_lock
from storage.copying import CopyRefused, copy_to_postgres
from storage.failures import OPENING_ERRORS
from storage.migrations import LATEST_VERSION
from storage.opening import open_repository
from storage.records import Bloc

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2


def say(text: str, *, error: bool = False) -> None:
    """One line for the person at the terminal (errors on stderr)."""
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_runtime(settings):
        say(catalog().text(settings.language, "cli.migrated", path=settings.database,
                            version=LATEST_VERSION))
    return EXIT_OK


def chosen_bloc(runtime: Runtime, code: str | None, language: str) -> Bloc | None:
    """The bloc ``--bloc`` names, or the only one served; ``None`` after saying why not
    (an unknown code, or several blocs and none named)."""
    messages, served = catalog(), runtime.blocs.all
    codes = ", ".join(bloc.code for bloc in served)
    if code is not None:
        found = runtime.blocs.by_code(code)
        if found is None:
            say(messages.text(language, "cli.unknown_bloc", code=code, codes=codes), error=True)
        return found
    if len(served) > 1:
        say(messages.text(language, "cli.name_the_bloc", codes=codes), error=True)
        return None
    return served[0]


async def export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.exports.build import build_export, find_period
    from bot.services.exports.docx_report import render_docx
    from bot.services.exports.docx_year_report import render_year_report
    from bot.services.exports.xlsx import render_csv, render_xlsx
    from bot.services.exports.xlsx_scores import render_scores
    from bot.services.exports.year_build import build_scores_workbook, build_year_report

    messages, language = catalog(), settings.language
    yearly = args.format in YEARLY
    if (args.year is not None and not yearly) or (args.period is not None and yearly):
        say(messages.text(language, "cli.export_option_mismatch"), error=True)
        return EXIT_CONFIG
    async with await open_runtime(settings) as runtime:
        bloc = chosen_bloc(runtime, args.bloc, language)
        if bloc is None:
            return EXIT_CONFIG
        t, now = runtime.texts.translator(language), runtime.clock.now()
        year = args.year or bloc.year
        content: bytes
        if args.format == "yearreport":
            report = await build_year_report(runtime.repo, bloc, year, t=t, now=now)
            content = await asyncio.to_thread(render_year_report, report)
        elif args.format == "scores":
            scores = await build_scores_workbook(runtime.repo, bloc, year, t=t)
            if scores is None:
                say(messages.text(language, "exports.no_scores", year=year), error=True)
                return EXIT_CONFIG
            content = await asyncio.to_thread(render_scores, scores)
        else:
            period = await find_period(runtime.repo, bloc, args.period,
                                       now.astimezone(ZoneInfo(bloc.timezone)).date())
            if period is None:
                say(messages.text(language, "exports.no_period"), error=True)
                return EXIT_CONFIG
            data = await build_export(runtime.repo, bloc, period, t=t, now=now)
            render = {"xlsx": render_xlsx, "csv": render_csv, "docx": render_docx}[args.format]
            content = await asyncio.to_thread(render, data)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(content)
    except OSError as exc:
        say(messages.text(language, "cli.backup_failed", detail=exc), error=True)
        return EXIT_FAILURE
    say(messages.text(language, "cli.exported", path=args.out, size=len(content)))
    return EXIT_OK


YEARLY = ("yearreport", "scores")
"""The exports of a year (``--year``); the others are a period's (``--period``)."""


async def _file_operation(settings: Settings, work: Callable[[], int], done_key: str,
                          **params: object) -> int:
    """Run a backup or restore off the event loop and say how it went, in one line."""
    messages, language = catalog(), settings.language
    try:
        result = await asyncio.to_thread(work)
    except BackupError as exc:
        say(messages.text(language, f"cli.backup_{exc.kind}", detail=exc.detail), error=True)
        return EXIT_FAILURE
    say(messages.text(language, done_key, result=result, **params))
    return EXIT_OK


async def backup_database(args: argparse.Namespace, settings: Settings) -> int:
    database = settings.database
    if isinstance(database, ServerDatabase):  # the server's own tool, which knows its engine
        command = shlex.join(["pg_dump", "--format=custom", f"--file={args.out}",
                              f"--dbname={database}"])
        say(catalog().text(settings.language, "cli.backup_on_server", command=command),
            error=True)
        return EXIT_FAILURE
    return await _file_operation(settings, lambda: backup(database, args.out),
                                 "cli.backed_up", path=args.out)


async def restore_database(args: argparse.Namespace, settings: Settings) -> int:
    database = settings.database
    if isinstance(database, ServerDatabase):
        command = shlex.join(["pg_restore", "--clean", "--if-exists", f"--dbname={database}",
                              str(args.file)])
        say(catalog().text(settings.language, "cli.restore_on_server", command=command),
            error=True)
        return EXIT_FAILURE
    return await _file_operation(settings, lambda: restore(args.file, database),
                                 "cli.restored", path=database)


async def copy_database(args: argparse.Namespace, settings: Settings) -> int:
    """``thidua db copy --to postgresql://…``: the SQLite deployment moved to PostgreSQL."""
    messages, language = catalog(), settings.language
    source, target = settings.database, args.to
    if not isinstance(source, Path):
        say(messages.text(language, "cli.copy_needs_sqlite"), error=True)
        return EXIT_CONFIG
    if not isinstance(target, ServerDatabase):
        say(messages.text(language, "cli.copy_needs_server", target=target), error=True)
        return EXIT_CONFIG
    if not source.is_file():
        say(messages.text(language, "cli.copy_missing", path=source), error=True)
        return EXIT_FAILURE
    try:
        with running_lock(source):  # no bot writes into the file while it is copied
            await (await open_repository(source)).close()  # at the latest schema first
            copied = await copy_to_postgres(source, target)
    except BackupError as exc:
        say(messages.text(language, f"cli.backup_{exc.kind}", detail=exc.detail), error=True)
        return EXIT_FAILURE
    except CopyRefused as exc:
        say(messages.text(language, f"cli.copy_{exc.kind}", detail=exc.detail), error=True)
        return EXIT_FAILURE
    except OPENING_ERRORS as exc:
        reason = hide_password(str(exc))
        if target.password:
            reason = reason.replace(target.password, HIDDEN)
        say(messages.text(language, "cli.copy_failed", target=target, reason=reason),
            error=True)
        return EXIT_FAILURE
    say(messages.text(language, "cli.copied", tables=len(copied.rows), rows=copied.total,
                      source=source, target=target))
    return EXIT_OK


def _as_written(value: date | datetime) -> str:
    """A bloc-file date or time as a secretary writes it: ``11:30 20/12/2023``."""
    day = f"{value.day}/{value.month}/{value.year}"
    return f"{value:%H:%M} {day}" if isinstance(value, datetime) else day


async def check(args: argparse.Namespace, settings: Settings) -> int:
    """``thidua bloc check [FILE|FOLDER]``: each bloc file checked on its own."""
    language, path = settings.language, args.file or settings.bloc_file
    results = [_check_file(found, language) for found in bloc_files(path)]
    return EXIT_CONFIG if not results or EXIT_CONFIG in results else EXIT_OK


def _check_file(path: Path, language: str) -> int:
    messages = catalog()
    try:
        config = load_bloc_file(path)
    except BlocFileError as error:
        say(render_problems(error, messages, language), error=True)
        return EXIT_CONFIG
    tasks = sum(len(period.tasks) for period in config.periods)
    say(messages.text(language, "cli.bloc_ok", name=config.name, units=len(config.units),
                       periods=len(config.periods), tasks=tasks))
    if config.criteria is not None:
        criteria = config.criteria
        lines = [item for kind, item in criteria.lines() if kind == "criterion"]
        say(messages.text(
            language, "cli.bloc_criteria_illustrative" if criteria.illustrative
            else "cli.bloc_criteria", groups=len(criteria.groups), criteria=len(lines),
            max=format_points(criteria.maximum, language),
            bonus=format_points(criteria.bonus.cap, language) if criteria.bonus else "0",
            penalty=format_points(criteria.penalty.cap, language) if criteria.penalty
            else "0"))
    if config.vote is not None:
        vote = config.vote
        say(messages.text(
            language, "cli.bloc_vote_top" if vote.candidates else "cli.bloc_vote_named",
            count=vote.candidates or 0, closes=_as_written(vote.closes),
            percent=vote.majority_percent,
            of=messages.text(language, f"cli.bloc_vote_of_{vote.majority_of}")))
    if config.awards is not None:
        say(messages.text(language, "cli.bloc_awards", count=len(config.awards.forms),
                          forms=", ".join(form.code for form in config.awards.forms),
                          deadline=_as_written(config.awards.deadline)))
    if config.handover is not None:
        say(messages.text(language, f"cli.bloc_handover_{config.handover.chair}"))
    return EXIT_OK
