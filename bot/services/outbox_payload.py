"""How a message is kept in an outbox row, and read back to be sent: JSON for its text, options,
file description and menu (the file's bytes go in the row's own column), versioned so that
rows queued before an upgrade are still sent."""

from __future__ import annotations

from typing import Any

from bot.domain.events import FileRef, Message, Option, OutFile, Reply

PAYLOAD_VERSION = 2  # rows hold one presented message; version 1 held a whole reply


def _file_ref(ref: FileRef | None) -> dict[str, Any] | None:
    return None if ref is None else {"channel": ref.channel, "file_id": ref.file_id,
                                     "kind": ref.kind, "name": ref.name}


def payload_of(message: Message) -> dict[str, Any]:
    """What a message becomes in an outbox row (JSON; a file's bytes go in the row's
    ``file``)."""
    payload: dict[str, Any] = {"v": PAYLOAD_VERSION, "text": message.text,
                               "options": [[o.label, o.value] for o in message.options],
                               "token": message.token}
    if message.file is not None:
        payload["file"] = {"name": message.file.name, "mime_type": message.file.mime_type,
                           "is_image": message.file.is_image}
    for field_name, value in (("photo_url", message.photo_url),
                              ("resend", _file_ref(message.resend)),
                              ("fallback", message.fallback),
                              ("alternate", message.alternate)):
        if value is not None:
            payload[field_name] = value
    if message.menu:
        payload["menu"] = [[o.label, o.value] for o in message.menu]
    return payload


def _ref(data: Any) -> FileRef | None:
    if not isinstance(data, dict):
        return None
    return FileRef(str(data["channel"]), str(data["file_id"]), str(data["kind"]),
                   data.get("name"))


def _out_file(described: Any, file: bytes | None) -> OutFile | None:
    if not isinstance(described, dict):
        return None
    return OutFile(str(described["name"]), file or b"", str(described["mime_type"]),
                   bool(described.get("is_image")))


def _options(payload: dict[str, Any], key: str = "options") -> tuple[Option, ...]:
    return tuple(Option(str(label), str(value)) for label, value in payload.get(key, []))


def message_of(payload: dict[str, Any], file: bytes | None = None) -> Message:
    """The message an outbox row holds (with the row's file bytes, if it has a file)."""
    return Message(text=str(payload.get("text", "")), options=_options(payload),
                   token=int(payload.get("token", 0)),
                   file=_out_file(payload.get("file"), file),
                   photo_url=payload.get("photo_url"), resend=_ref(payload.get("resend")),
                   fallback=payload.get("fallback"), menu=_options(payload, "menu"),
                   alternate=payload.get("alternate"))


def reply_of(payload: dict[str, Any], file: bytes | None = None) -> Reply:
    """The whole reply a row of version 1 held (queued before an upgrade): it is presented
    when it is sent."""
    return Reply(text=str(payload["text"]), options=_options(payload),
                 token=int(payload.get("token", 0)),
                 file=_out_file(payload.get("file"), file),
                 attachment=_ref(payload.get("attachment")))
