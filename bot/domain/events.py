"""What a channel hands to the bot, and what the bot hands back.

These are the only types that cross between a messenger and the bot's logic: a
channel turns its own updates into an :class:`Inbound`; the bot says what to answer
as :class:`Reply` s, and each reply is presented (``bot/domain/presenting.py``) as the
:class:`Message` s the messenger will show, by the :class:`Traits` the channel
declares: a channel sends each message with one call and decides nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class Membership(StrEnum):
    """What changed between the bot and a chat (Telegram's ``my_chat_member``)."""

    BLOCKED = "blocked"  # a person blocked the bot in their private chat
    UNBLOCKED = "unblocked"  # and allowed it again
    ADDED = "added"  # the bot was added to a group
    REMOVED = "removed"  # the bot was removed from a group


@dataclass(frozen=True)
class InboundFile:
    """A file or photo a user sent, known by the channel's own file id."""

    file_id: str
    name: str | None
    mime_type: str | None
    size: int | None
    kind: str  # "document" or "photo"


@dataclass(frozen=True)
class Choice:
    """A pressed option: the dialog token it was offered under, and its value."""

    token: int
    value: str


@dataclass(frozen=True)
class Inbound:
    """One thing a person did: wrote text, pressed an option, sent a file, or changed the
    bot's place in a chat (``membership``: blocked it, added it to a group…)."""

    channel: str
    user_id: str
    chat_id: str
    chat_kind: ChatKind
    display_name: str
    text: str | None = None
    choice: Choice | None = None
    file: InboundFile | None = None
    update_key: str | None = None
    raw_choice: str | None = None  # option data the channel could not decode
    unsupported: bool = False  # a sticker, a voice message: something the bot cannot read
    membership: Membership | None = None
    chat_title: str | None = None  # a group's name, when the messenger gives it


@dataclass(frozen=True)
class Option:
    """One answer the user can pick; ``value`` is short (it travels in callback data)."""

    label: str
    value: str


LEAVE = "__leave__"
"""The value of a question's "Close" option: the conversation ends where it is. A numbered
menu (a messenger without buttons) leaves it out, since its ``0`` does the same."""


@dataclass(frozen=True)
class OutFile:
    """A document or image to send: its bytes, a file name and a MIME type."""

    name: str
    content: bytes
    mime_type: str
    is_image: bool = False


@dataclass(frozen=True)
class FileRef:
    """A file a person sent earlier, to send again by the channel's own file id."""

    channel: str
    file_id: str
    kind: str  # "document" or "photo"
    name: str | None


@dataclass(frozen=True)
class Reply:
    """A message for the user.

    ``text`` is HTML limited to ``<b>``, ``<i>``, ``<code>`` and ``<a>``; every piece
    of user-supplied text in it has been escaped. ``options`` carry the dialog
    ``token`` they were offered under.
    """

    text: str
    options: tuple[Option, ...] = ()
    token: int = 0
    file: OutFile | None = None
    chat_id: str | None = None  # None: the chat the event came from
    attachment: FileRef | None = None  # re-send a file a person sent, with ``text`` as caption
    language: str | None = None  # the reader's, when the bot writes on its own (a reminder)
    secret: bool = False
    """A ballot or its receipt: kept nowhere (no outbox row, no menu remembered, no log
    line), sent once after the event commits; lost if that send fails (the voter asks
    again). A pressed option of it comes back marked, so the channel stores the press
    without the message it was pressed under."""


@dataclass(frozen=True)
class Traits:
    """What a messenger can show, as its channel declares it."""

    buttons: bool = True  # options as buttons; else numbered menus answered by typing
    markup: bool = True  # HTML (<b>, <i>, <a>) is shown; else the text is made plain
    text_limit: int = 4096  # characters in one message
    caption_limit: int = 1024  # characters under a photo or a file
    uploads: bool = True  # files are sent as they are; else as download links
    photo_urls: bool = True  # a photo given by its https address is shown


@dataclass(frozen=True)
class Message:
    """One message as the messenger will show it: what one call sends.

    ``text`` is already in the messenger's format (HTML or plain). At most one of
    ``file`` (bytes to upload), ``photo_url`` (a photo by its address) and ``resend``
    (a file the messenger knows by its own id) is set; ``text`` is then its caption.
    ``fallback`` is what to send instead when the messenger refuses the photo's address.
    """

    text: str = ""
    options: tuple[Option, ...] = ()  # buttons, on a messenger that has them
    token: int = 0
    file: OutFile | None = None
    photo_url: str | None = None
    resend: FileRef | None = None
    fallback: str | None = None
    chat_id: str | None = None  # None: the chat the event came from
    secret: bool = False  # a ballot's message (see Reply.secret): its buttons say so
    # the bot writing on its own on a messenger without buttons: ``text`` ends with the
    # numbered ``menu``, ``alternate`` with the commands instead (for someone in the middle
    # of a conversation, whose numbers the menu must not take over)
    menu: tuple[Option, ...] = ()
    alternate: str | None = None

@dataclass
class Response:
    """Everything the core answers to one event."""

    replies: list[Reply] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)  # the replies as presented
    notice: str | None = None  # a short toast for a pressed option (Telegram's callback answer)
    duplicate: bool = False  # the event was a re-delivery, already handled: do nothing
    failed: bool = False  # the database could not record it: it stays in the inbox for later


@dataclass(frozen=True)
class Published:
    """Where a posted message ended up, and whether it is pinned."""

    message_id: str
    pinned: bool
    pin_refused: bool = False  # the bot lacks the right to pin in that chat
    pin_unsupported: bool = False  # the messenger lets no bot pin (Zalo)


class DeliveryError(Exception):
    """A channel could not deliver a message.

    ``blocked``: the person blocked the bot (never retry); ``permanent``: the
    message itself was refused (retrying will not help); otherwise it is worth
    retrying, after ``retry_after`` seconds when the messenger said so.
    """

    def __init__(self, reason: str, *, permanent: bool = False, blocked: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent or blocked
        self.blocked = blocked
        self.retry_after = retry_after


# What a channel's delivery of a response says: per reply tried, in order, None (sent) or
# why not; replies after the list's end were not tried. None: every reply was sent.
Sent = list[DeliveryError | None] | None


class ChannelPort(Protocol):
    """What the bot asks of a running channel when it acts on its own initiative."""

    traits: Traits

    async def send(self, chat_id: str, message: Message) -> None:
        """Send one message to a chat; raises :class:`DeliveryError` when it cannot."""

    async def publish(self, chat_id: str, messages: list[Message], *, pin: bool,
                      replace: str | None = None) -> Published:
        """Post (or edit in place, when ``replace`` names the earlier message) and pin."""
