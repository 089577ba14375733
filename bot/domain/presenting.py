"""A reply as the messages a messenger will show: what every channel had decided for itself.

The bot says what to answer as :class:`~bot.domain.events.Reply` s; :func:`present`
turns one into the :class:`~bot.domain.events.Message` s a messenger of the given
:class:`~bot.domain.events.Traits` shows, each sent by one call: text cut at the
messenger's limit, options as buttons or as a numbered menu, a file uploaded or given
as a download link, a file a person sent re-sent, shown by its address, or named in a
note. Every word of it comes from the catalogs, in the reader's language, so the
channel renders nothing. Each message is then its own outbox row: one that fails is
retried alone, and the ones before it are not sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.events import LEAVE, FileRef, Message, Option, OutFile, Reply, Traits
from bot.domain.i18n import Translate
from bot.domain.periods import format_moment
from bot.domain.text import escape, html_to_plain, numbered_lines, split_message

EXIT_NUMBER = "0"  # on a messenger without buttons, "0" leaves the conversation


@dataclass(frozen=True)
class Offered:
    """Where a file sent as a download link can be fetched, and until when."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class Presented:
    """A reply's messages, and the numbered menu it shows (``menu``: remember it for the
    typed numbers; ``ends_menu``: a question to answer in words, numbers are words again)."""

    messages: list[Message]
    menu: tuple[Option, ...] | None = None
    ends_menu: bool = False


def numbered_menu(options: tuple[Option, ...], *, header: str,
                  exit_label: str | None) -> str:
    """The options as lines a person answers by number (``0`` leaves, when it may)."""
    lines = [header, *numbered_lines([option.label for option in options])]
    if exit_label is not None:
        lines.append(f"{EXIT_NUMBER}. {exit_label}")
    return "\n".join(lines)


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def _chunks(text: str, traits: Traits) -> list[str]:
    return split_message(text, traits.text_limit, markup=traits.markup) if text.strip() else []


def present(reply: Reply, traits: Traits, t: Translate, *, channel: str,
            offered: Offered | None = None, zone: ZoneInfo | None = None) -> Presented:
    """``reply`` as the messages of a messenger with ``traits`` (``channel`` names it),
    in ``t``'s language. ``offered``: where its file can be downloaded, on a messenger
    that takes no uploads (``None`` there: no public address to offer it from)."""
    text = reply.text if traits.markup else html_to_plain(reply.text)
    if reply.secret:
        return Presented(_secret(reply, text, traits, t))
    messages: list[Message] = []
    if reply.attachment is not None:
        text, first = _attachment(reply.attachment, text, traits, t, channel)
        messages += first
    if reply.file is not None:
        text, first = _file(reply.file, text, traits, t, offered, zone)
        messages += first
    menu: tuple[Option, ...] | None = None
    options: tuple[Option, ...] = ()
    unanswered: tuple[Option, ...] = ()  # the bot's own options, on a messenger without buttons
    if reply.options and traits.buttons:
        options = reply.options
    elif reply.options and reply.token > 0:
        # a question of a conversation: its options are numbered, and a typed number answers
        # ("Close" is left out: the menu's own 0 leaves)
        menu = tuple(option for option in reply.options if option.value != LEAVE)
        text = (text + "\n\n" if text else "") + numbered_menu(
            menu, header=t("channel.menu_header"), exit_label=t("channel.menu_exit"))
    elif reply.options:
        unanswered = tuple(option for option in reply.options if option.value.startswith("/"))
    if messages and options and not text.strip() and len(messages[-1].text) <= (
            traits.caption_limit):
        messages[-1] = replace(messages[-1], options=options, token=reply.token)
        options = ()
    chunks = _chunks(text, traits)
    if messages and chunks and len(chunks) == 1 and not messages[-1].text and (
            len(chunks[0]) <= traits.caption_limit) and messages[-1].fallback is None:
        # a short text is the caption of the file before it
        messages[-1] = replace(messages[-1], text=chunks[0], options=options,
                               token=reply.token)
        chunks, options = [], ()
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        messages.append(Message(text=chunk, options=options if last else (),
                                token=reply.token if last else 0))
    if unanswered:
        messages = _own_menu(messages, unanswered, traits, t)
    if reply.chat_id is not None:
        messages = [replace(message, chat_id=reply.chat_id) for message in messages]
    return Presented(messages, menu=menu,
                     ends_menu=not traits.buttons and reply.token > 0 and not reply.options)


def _secret(reply: Reply, text: str, traits: Traits, t: Translate) -> list[Message]:
    """A ballot: its options as buttons marked secret, or, on a messenger without buttons,
    as the commands to type (never a numbered menu, which would be remembered)."""
    options = reply.options
    if options and not traits.buttons:
        text = "\n".join([text, "", *(t("channel.option_command", label=option.label,
                                        command=option.value) for option in options)])
        options = ()
    chunks = _chunks(text, traits) or [""]
    messages = [Message(text=chunk, secret=True) for chunk in chunks]
    messages[-1] = replace(messages[-1], options=options)
    if reply.chat_id is not None:
        messages = [replace(message, chat_id=reply.chat_id) for message in messages]
    return messages


def _own_menu(messages: list[Message], options: tuple[Option, ...], traits: Traits,
              t: Translate) -> list[Message]:
    """The options of a message the bot sends on its own (a reminder's "update now"), on a
    messenger without buttons: numbered, or — for someone in the middle of a conversation,
    whose numbers they must not take over — as the commands they run. Which one is known
    only when it is sent (``Message.menu`` and ``Message.alternate``)."""
    menu = numbered_menu(options, header=t("channel.menu_header"), exit_label=None)
    commands = "".join("\n" + t("channel.option_command", label=option.label,
                                command=option.value) for option in options)
    last = messages[-1] if messages else Message()
    if last.file is not None or last.photo_url is not None or last.resend is not None or (
            len(last.text) + len(menu) + 2 > traits.text_limit):
        return [*messages, Message(text=menu, menu=options, alternate=commands.strip())]
    return [*messages[:-1], replace(last, text=f"{last.text}\n\n{menu}" if last.text else menu,
                                    menu=options, alternate=last.text + commands)]


def _attachment(ref: FileRef, text: str, traits: Traits, t: Translate,
                channel: str) -> tuple[str, list[Message]]:
    """A file a person sent: re-sent where the messenger knows it, shown by its address
    where it is a photo the messenger can fetch, else named in a note."""
    note = t("channel.attachment_elsewhere", name=escape(ref.name or ref.kind))
    if not traits.markup:
        note = html_to_plain(note)
    if ref.channel == channel:
        caption = text if len(text) <= traits.caption_limit else ""
        return (text if not caption else ""), [Message(resend=ref, text=caption)]
    if ref.kind == "photo" and ref.file_id.startswith("https://") and traits.photo_urls:
        caption = text if len(text) <= traits.caption_limit else ""
        # refused, the photo is replaced by its note (and its caption, which is short)
        fallback = f"{caption}\n{note}" if caption else note
        return (text if not caption else ""), [Message(photo_url=ref.file_id, text=caption,
                                                       fallback=fallback)]
    return f"{text}\n{note}" if text else note, []


def _file(file: OutFile, text: str, traits: Traits, t: Translate, offered: Offered | None,
          zone: ZoneInfo | None) -> tuple[str, list[Message]]:
    """A file the bot made (an export, the heat map): uploaded, or given by a link."""
    if traits.uploads:
        return text, [Message(file=file)]
    if offered is None:
        unavailable = t("channel.file_unavailable", name=escape(file.name))
        return (text + "\n\n" if text else "") + (
            unavailable if traits.markup else html_to_plain(unavailable)), []
    if file.is_image and traits.photo_urls:
        return text, [Message(photo_url=offered.url)]
    link = t("channel.file_link", name=file.name, size=_size(len(file.content)),
             url=offered.url, expires=format_moment(offered.expires_at, zone or ZoneInfo("UTC")))
    return (text + "\n\n" if text else "") + link, []
