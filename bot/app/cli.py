"""The ``thidua`` command: run the bot, try it offline, make invites, look after the database.

Verbs and options are an interface that scripts rely on: add, never rename.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack, suppress
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, ValidationError

from bot.app import data_verbs
from bot.app.data_verbs import EXIT_CONFIG, EXIT_FAILURE, EXIT_OK
from bot.app.data_verbs import say as _say
from bot.app.logs import configure_logging
from bot.app.runtime import Runtime, StartupError, open_runtime
from bot.domain.clock import ShiftedClock
from bot.domain.i18n import catalog
from bot.domain.periods import format_moment
from bot.services import invites
from config.bloc import BlocFileError, load_bloc_file
from config.database import DatabaseAddress, ServerDatabase, database_address, hide_password
from config.dates import DateParseError, parse_date, parse_date_or_datetime
from config.settings import Settings
from storage.backup import BackupError, running_lock
from storage.records import Role
from storage.repository import AccountStore

log = logging.getLogger(__name__)



def _database_option(value: str) -> DatabaseAddress:
    try:
        return database_address(value)
    except ValueError as exc:  # argparse would print the value, password and all
        raise argparse.ArgumentTypeError(f"{hide_password(value)}: {exc}") from None


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", type=_database_option, metavar="FILE|postgresql://…",
                        help="SQLite file, or PostgreSQL server (THIDUA_DATABASE)")
    parser.add_argument("--files-dir", type=Path,
                        help="folder of files offered by link (THIDUA_FILES_DIR)")
    parser.add_argument("--bloc-file", type=Path, help="bloc YAML file (THIDUA_BLOC_FILE)")
    parser.add_argument("--timezone", help="bloc time zone (THIDUA_TIMEZONE)")
    parser.add_argument("--language", choices=("vi", "en"),
                        help="default language (THIDUA_LANGUAGE)")
    parser.add_argument("--api-url", help="Bot API server root (THIDUA_TELEGRAM_API_URL)")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default INFO)")


ALL_BLOCS = "all"  # thidua invite --role liaison --bloc all: the ministry's liaison


class _Parser(argparse.ArgumentParser):
    """A parser that takes whole option names only: argparse would otherwise read an
    abbreviation as the one option it begins (``--bloc all`` as ``--bloc-file all``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``thidua`` (also used to document the verbs)."""
    parser = _Parser(prog="thidua", description="Chatbot của Khối thi đua.")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    run = verbs.add_parser("run", help="run the bot on Telegram and/or Zalo")
    _common(run)
    run.add_argument("--zalo-api-url", help="Zalo Bot API root (THIDUA_ZALO_API_URL)")
    run.add_argument("--webhook", metavar="URL",
                     help="receive updates at this public https address instead of polling "
                          "(THIDUA_WEBHOOK_URL)")
    run.add_argument("--listen", metavar="HOST:PORT",
                     help="where the webhook server listens (THIDUA_WEBHOOK_LISTEN)")

    demo = verbs.add_parser("demo", help="try the bot offline, in this terminal")
    _common(demo)
    demo.add_argument("--as", dest="as_who",
                      help="who you are: a unit code, chair, deputy, liaison")
    demo.add_argument("--out-dir", type=Path, help="where files the bot sends are saved")
    demo.add_argument("--today", metavar="DD/MM/YYYY",
                      help="play the demo as if today were this date: the clock starts on it "
                           "at the current time of day and runs on")

    invite = verbs.add_parser("invite", help="make an invite token and link")
    _common(invite)
    invite.add_argument("--unit", help="the unit's code (contacts; optional for chair/deputy)")
    invite.add_argument("--role", required=True,
                        choices=[r.value for r in Role if r is not Role.ADMIN])
    invite.add_argument("--uses", type=int, default=1,
                        help="how many people may use it (default 1)")
    invite.add_argument("--expires", default="7d", help="validity, e.g. 7d, 12h, 2w (default 7d)")
    invite.add_argument("--bot-username", help="the bot's @username, for the link")
    invite.add_argument("--bloc", help="the bloc's code (needed when THIDUA_BLOC_FILE is a "
                        "folder of several blocs); 'all': the ministry's liaison, who follows "
                        "every bloc (--role liaison only)")

    db = verbs.add_parser("db", help="database maintenance")
    db_verbs = db.add_subparsers(dest="db_verb", required=True, parser_class=_Parser)
    _common(db_verbs.add_parser("migrate", help="create or upgrade the database schema"))
    copy = db_verbs.add_parser("copy", help="copy the SQLite database into an empty "
                               "PostgreSQL one (row counts checked)")
    _common(copy)
    copy.add_argument("--to", type=_database_option, required=True,
                      metavar="postgresql://…", help="the PostgreSQL database to copy into")

    export = verbs.add_parser("export", help="the period's workbook, CSV or draft report; the "
                              "year's report or scores")
    _common(export)
    export.add_argument("format", choices=("xlsx", "csv", "docx", "yearreport", "scores"))
    export.add_argument("--period", help="xlsx, csv, docx: the period's code or title "
                        "(default: the current one)")
    export.add_argument("--year", type=int, help="yearreport, scores: the emulation year "
                        "(default: the bloc's current one)")
    export.add_argument("--out", type=Path, required=True, help="the file to write")
    export.add_argument("--bloc", help="the bloc's code (needed when several are served)")

    backup = verbs.add_parser("backup", help="a consistent copy of the live database")
    _common(backup)
    backup.add_argument("--out", type=Path, required=True, help="the copy to write")

    restore = verbs.add_parser("restore", help="replace the database with a checked copy")
    _common(restore)
    restore.add_argument("file", type=Path, help="the copy made by thidua backup")

    bloc = verbs.add_parser("bloc", help="the bloc file")
    bloc_verbs = bloc.add_subparsers(dest="bloc_verb", required=True)
    check = bloc_verbs.add_parser("check", help="validate a bloc file without loading it")
    _common(check)
    check.add_argument("file", nargs="?", type=Path, help="default: THIDUA_BLOC_FILE")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Environment (and .env) settings, overridden by the command line's options."""
    overrides: dict[str, Any] = {}
    for option, field in (("database", "database"), ("files_dir", "files_dir"),
                          ("bloc_file", "bloc_file"),
                          ("timezone", "timezone"), ("language", "language"),
                          ("api_url", "telegram_api_url"), ("zalo_api_url", "zalo_api_url"),
                          ("webhook", "webhook_url"), ("listen", "webhook_listen")):
        value = getattr(args, option, None)
        if value is not None:
            overrides[field] = value
    return Settings(**overrides)


_ENV_NAMES = {name: str(field.validation_alias.choices[0])
              for name, field in Settings.model_fields.items()
              if isinstance(field.validation_alias, AliasChoices)}
_SECRET_FIELDS = {name for name, field in Settings.model_fields.items()
                  if "SecretStr" in str(field.annotation)}


def setting_problems(error: ValidationError) -> list[str]:
    """One line per invalid setting, naming its environment variable, in Vietnamese."""
    messages, lines = catalog(), []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        field = next((f for f, env in _ENV_NAMES.items() if env == field), field)
        hint = f"cli.hint_{field}" if messages.has(f"cli.hint_{field}") else "cli.hint_other"
        lines.append(messages.text("vi", "cli.bad_setting", name=_ENV_NAMES.get(field, field),
                                   value="***" if field in _SECRET_FIELDS
                                   else hide_password(str(item.get("input", "")))[:80],
                                   hint=messages.text("vi", hint)))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``thidua`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args)
    except ValidationError as exc:
        for line in setting_problems(exc):
            _say(line, error=True)
        return EXIT_CONFIG
    quiet = args.verb in ("demo", "invite", "bloc", "db", "export", "backup", "restore")
    target = getattr(args, "to", None)
    secrets = settings.secrets() + ([target.password] if isinstance(target, ServerDatabase)
                                    and target.password else [])
    configure_logging(args.log_level or ("WARNING" if quiet else "INFO"), secrets,
                      settings.log_format)
    database_verb = data_verbs.copy_database if getattr(args, "db_verb", None) == "copy" \
        else data_verbs.migrate
    handlers = {"run": _run, "demo": _demo, "invite": _invite, "db": database_verb,
                "bloc": data_verbs.check, "export": data_verbs.export,
                "backup": data_verbs.backup_database, "restore": data_verbs.restore_database}
    try:
        return asyncio.run(handlers[args.verb](args, settings))
    except StartupError as exc:
        _say(str(exc), error=True)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_OK


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.serve import ListenError, serve
    from bot.channels.telegram import TelegramStartError
    from bot.channels.zalo import ZaloStartError

    messages, language = catalog(), settings.language
    if not settings.token_value() and not settings.zalo_token_value():
        _say(messages.text(language, "cli.no_token"), error=True)
        return EXIT_CONFIG
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    def ready(names: dict[str, str], notes: list[tuple[str, dict[str, str]]]) -> None:
        for channel, name in names.items():
            _say(messages.text(language, f"cli.running_{channel}", username=name))
        for key, params in notes:
            _say(messages.text(language, key, **params), error=True)
        host, port = settings.listen_address()
        if settings.webhook_url:
            _say(messages.text(language, "cli.webhook_listening", url=settings.webhook_url,
                               host=host, port=port))
        elif settings.public_url:
            _say(messages.text(language, "cli.web_listening", url=settings.public_url,
                               host=host, port=port))
        _say(messages.text(language, "cli.how_to_stop"))

    try:
        await serve(settings, stop, on_ready=ready)
    except BackupError as exc:
        key = "cli.run_in_use" if exc.kind == "in_use" else f"cli.backup_{exc.kind}"
        _say(messages.text(language, key, detail=exc.detail), error=True)
        return EXIT_FAILURE
    except TelegramStartError as exc:
        _say(messages.text(language, exc.kind, url=settings.telegram_api_url, **exc.params),
             error=True)
        return EXIT_FAILURE
    except ZaloStartError as exc:
        _say(messages.text(language, exc.kind, url=settings.zalo_api_url, **exc.params),
             error=True)
        return EXIT_FAILURE
    except ListenError as exc:  # the web server's port is taken or not allowed
        _say(messages.text(language, "cli.cannot_listen", address=exc.address,
                           reason=exc.reason), error=True)
        return EXIT_FAILURE
    _say(messages.text(language, "cli.stopped"))
    return EXIT_OK


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.demo import demo_personas
    from bot.channels.console import CHANNEL as CONSOLE
    from bot.channels.console import ConsoleChannel

    with tempfile.TemporaryDirectory(prefix="thidua-demo-") as scratch, ExitStack() as held:
        if args.database is None:
            settings = settings.model_copy(update={"database": Path(scratch) / "demo.db"})
        elif isinstance(settings.database, ServerDatabase):  # another process may serve it
            _say(catalog().text(settings.language, "cli.demo_needs_file"), error=True)
            return EXIT_CONFIG
        else:
            try:  # a demo never writes into the database a running bot serves
                held.enter_context(running_lock(settings.database))
            except BackupError as exc:
                key = "cli.demo_in_use" if exc.kind == "in_use" else f"cli.backup_{exc.kind}"
                _say(catalog().text(settings.language, key, detail=exc.detail), error=True)
                return EXIT_FAILURE
        # files the bot sends must outlive the demo: never inside the scratch folder
        out_dir: Path | None = args.out_dir
        zone = settings.timezone  # the day begins where the bloc is
        with suppress(BlocFileError):  # the runtime says what is wrong with the file
            zone = load_bloc_file(settings.bloc_file).timezone or zone
        day = None
        if args.today:
            try:
                day = parse_date(args.today)
            except DateParseError:
                _say(catalog().text(settings.language, "cli.demo_bad_today", value=args.today),
                     error=True)
                return EXIT_CONFIG
        clock = ShiftedClock(day, ZoneInfo(zone))  # today, or the day asked; /ngay moves it
        async with await open_runtime(settings, clock=clock) as runtime:
            personas = await demo_personas(runtime.repo, runtime.bloc, runtime.clock.now(),
                                           runtime.texts, ministry=len(runtime.blocs.all) > 1)
            channel = ConsoleChannel(runtime.dispatcher.handle, runtime.texts, personas,
                                     bloc_name=runtime.bloc.name, out_dir=out_dir,
                                     move_clock=partial(move_demo_clock, runtime, clock))
            runtime.channels.add(CONSOLE, channel)
            # started once the person is chosen: reminders due now are printed at once
            if not await channel.run(args.as_who, ready=runtime.start):
                return EXIT_CONFIG
            await runtime.outbox.drain()  # what the bot queued is shown before it exits
    return EXIT_OK


async def move_demo_clock(runtime: Runtime, clock: ShiftedClock, text: str) -> str:
    """``/ngay 15/12/2023 [09:00]`` in the demo: the clock moves on to then (never back) and
    what fell due meanwhile (reminders, a vote's closing) is sent before the next line."""
    zone, t = runtime.blocs.zone, runtime.texts.translator()
    try:
        when = parse_date_or_datetime(text)
    except DateParseError:
        return t("console.today_bad", value=text)
    moment = (when if isinstance(when, datetime)
              else datetime.combine(when, runtime.clock.now().astimezone(zone).time()))
    moment = moment.replace(tzinfo=zone)
    if moment <= runtime.clock.now():
        return t("console.today_backwards", now=format_moment(runtime.clock.now(), zone))
    clock.move_to(moment)
    await asyncio.sleep(0.1)  # the scheduler's jobs that fell due run
    await runtime.reminders.plan_all()
    await runtime.outbox.drain()
    return t("console.today_moved", now=format_moment(runtime.clock.now(), zone))


async def _invite(args: argparse.Namespace, settings: Settings) -> int:
    messages, language = catalog(), settings.language

    def translate(key: str, /, **params: object) -> str:
        return messages.text(language, key, **params)

    try:
        validity = invites.parse_validity(args.expires)
    except invites.InviteError as exc:
        _say(invites.describe_error(exc, translate), error=True)
        return EXIT_CONFIG
    async with await open_runtime(settings) as runtime:
        every = args.bloc is not None and args.bloc.casefold() == ALL_BLOCS
        bloc = runtime.blocs.all[0] if every else data_verbs.chosen_bloc(runtime, args.bloc,
                                                                          language)
        if bloc is None:
            return EXIT_CONFIG
        try:
            made = await invites.create_invite(
                runtime.repo, bloc, role=Role(args.role), unit_code=args.unit,
                uses=args.uses, validity=validity, created_by="cli", now=runtime.clock.now(),
                all_blocs=every,
            )
        except invites.InviteError as exc:
            reason = invites.describe_error(exc, translate)
            _say(messages.text(language, "cli.invite_failed", reason=reason), error=True)
            return EXIT_CONFIG
        who = messages.text(language, f"role.{made.invite.role.value}")
        if made.unit is not None:
            who = messages.text(language, "role.of_unit", role=who, unit=made.unit.name)
        zone = ZoneInfo(bloc.timezone)
        _say(messages.text(language, "cli.invite_made", who=who, uses=made.invite.max_uses,
                           expires=format_moment(made.invite.expires_at, zone)))
        _say(messages.text(language, "cli.invite_token", token=made.token))
        username = args.bot_username or await _bot_username(runtime.repo, settings)
        if username:
            link = invites.deep_link(username.lstrip("@"), made.token)
            _say(messages.text(language, "cli.invite_link", link=link))
        else:
            _say(messages.text(language, "cli.invite_no_link", token=made.token))
        if settings.zalo_token_value():
            _say(messages.text(language, "cli.invite_zalo", token=made.token))
    return EXIT_OK


async def _bot_username(repo: AccountStore, settings: Settings) -> str | None:
    """The bot's username: remembered from the last run, else asked of Telegram."""
    known = await repo.bot_username("telegram")
    token = settings.token_value()
    if known or not token:
        return known
    from telegram import Bot
    from telegram.error import TelegramError

    try:
        async with Bot(token, base_url=f"{settings.telegram_api_url}/bot") as bot:
            username = bot.username
    except TelegramError as exc:
        log.warning("could not ask Telegram for the bot's username: %s", exc)
        return None
    await repo.set_bot_username("telegram", username)
    return username


if __name__ == "__main__":
    sys.exit(main())
