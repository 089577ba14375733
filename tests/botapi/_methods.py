"""Bot API methods about the bot, updates, commands, chats, members, files and callbacks."""

from __future__ import annotations

from ._models import JSON, ApiError, bad_request
from ._registry import chat_param, int_param, method
from ._state import QueuedUpdate, WorldState, scope_key


@method("getMe")
def get_me(state: WorldState, p: JSON) -> JSON:
    """The bot's User object."""
    return {
        **state.bot_user.to_dict(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method(
    "logOut",
    "close",
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
)
def accept(state: WorldState, p: JSON) -> bool:
    """Methods the fake accepts without keeping anything."""
    return True


@method("setWebhook")
def set_webhook(state: WorldState, p: JSON) -> bool:
    """Record the webhook URL (getUpdates then answers 409 like Telegram)."""
    state.webhook_url = str(p.get("url") or "")
    return True


@method("deleteWebhook")
def delete_webhook(state: WorldState, p: JSON) -> bool:
    """Remove the webhook; ``drop_pending_updates`` discards the queue."""
    state.webhook_url = ""
    if p.get("drop_pending_updates"):
        state.queue.clear()
        state.notify()
    return True


@method("getWebhookInfo")
def get_webhook_info(state: WorldState, p: JSON) -> JSON:
    """WebhookInfo with the recorded URL and the pending update count."""
    return {
        "url": state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.queue),
    }


def _confirm(state: WorldState, offset: int | None) -> None:
    if not offset:
        return
    if offset < 0:
        keep = sorted(state.queue, key=lambda q: q.update_id)[offset:]
        state.queue[:] = [q for q in state.queue if q in keep]
    else:
        state.queue[:] = [
            q for q in state.queue if q.update_id >= offset or (q.redelivery and not q.delivered)
        ]
    state.notify()


def _deliverable(state: WorldState) -> list[QueuedUpdate]:
    if state.allowed_updates:
        wanted = set(state.allowed_updates)
        state.queue[:] = [q for q in state.queue if wanted & (set(q.update) - {"update_id"})]
    return sorted(state.queue, key=lambda q: q.update_id)


@method("getUpdates")
async def get_updates(state: WorldState, p: JSON) -> list[JSON]:
    """Long-poll: confirm by offset, wait up to ``timeout`` s, answer at most ``limit``."""
    if state.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    if isinstance(p.get("allowed_updates"), list):
        state.allowed_updates = [str(u) for u in p["allowed_updates"]]
    _confirm(state, int_param(p, "offset", required=False))
    limit = max(1, min(100, int_param(p, "limit", required=False) or 100))
    timeout = float(p.get("timeout") or 0)
    state.active_polls += 1
    state.notify()
    try:
        ready = await state.wait_until(lambda: _deliverable(state) or state.closing, timeout)
    finally:
        state.active_polls -= 1
    if ready is True:
        return []
    batch = _deliverable(state)[:limit]
    for queued in batch:
        queued.delivered = True
    return [q.update for q in batch]


@method("setMyCommands")
def set_my_commands(state: WorldState, p: JSON) -> bool:
    """Store the command list for its scope and language, validated like Telegram."""
    commands = p.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be non-empty")
    state.my_commands[(scope_key(p.get("scope")), str(p.get("language_code") or ""))] = commands
    return True


@method("getMyCommands")
def get_my_commands(state: WorldState, p: JSON) -> list[JSON]:
    """The stored command list for the scope/language (empty if none)."""
    return state.commands_for(p.get("scope"), str(p.get("language_code") or ""))


@method("deleteMyCommands")
def delete_my_commands(state: WorldState, p: JSON) -> bool:
    """Forget the command list for the scope/language."""
    state.my_commands.pop((scope_key(p.get("scope")), str(p.get("language_code") or "")), None)
    return True


@method("answerCallbackQuery")
def answer_callback_query(state: WorldState, p: JSON) -> bool:
    """Record the answer; unknown or already answered queries fail like Telegram's."""
    query_id = str(p.get("callback_query_id") or "")
    if query_id not in state.open_callbacks:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    state.open_callbacks.discard(query_id)
    state.answered_callbacks.append(dict(p))
    return True


@method("sendChatAction")
def send_chat_action(state: WorldState, p: JSON) -> bool:
    """Typing indicators and the like: only the chat is checked."""
    chat_param(state, p, sending=True)
    if not p.get("action"):
        raise bad_request("wrong parameter action in request")
    return True


@method("getChat")
def get_chat(state: WorldState, p: JSON) -> JSON:
    """ChatFullInfo with the fields PTB 22 requires."""
    chat = chat_param(state, p)
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **chat.to_dict(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }


@method("getChatMember")
def get_chat_member(state: WorldState, p: JSON) -> JSON:
    """The bot: administrator with can_pin_messages unless set otherwise; users: member."""
    chat = chat_param(state, p)
    user_id = int_param(p, "user_id")
    if user_id == state.bot_user.id:
        person, status = state.bot_user, chat.bot_status
    elif user_id in state.users:
        person = state.users[user_id]
        status = chat.member_status.get(user_id, "member")
    else:
        raise bad_request("user not found")
    member: JSON = {"status": status, "user": person.to_dict()}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        rights = (
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
        )
        member.update(
            dict.fromkeys(rights, True),
            can_be_edited=False,
            is_anonymous=False,
            can_promote_members=False,
            can_pin_messages=chat.bot_can_pin if person.is_bot else True,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


@method("getFile")
def get_file(state: WorldState, p: JSON) -> JSON:
    """File info with the file_path to download from ``/file/bot<token>/<file_path>``."""
    stored = state.files.get(str(p.get("file_id") or ""))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > 20 * 1024 * 1024:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }
