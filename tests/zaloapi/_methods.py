"""Zalo Bot API methods about the bot and updates: getMe, getUpdates and the webhook trio."""

from __future__ import annotations

from ._models import JSON, ApiError, bad_request, now_ms
from ._registry import method
from ._state import ZaloWorld

SECRET_LENGTH = range(8, 257)


@method("getMe")
def get_me(state: ZaloWorld, p: JSON) -> JSON:
    """The bot's account."""
    return {
        "id": state.bot_id,
        "account_name": state.bot_name,
        "account_type": "BASIC",
        "can_join_groups": state.can_join_groups,
    }


def poll_wait(state: ZaloWorld, p: JSON) -> float:
    """How long a getUpdates may wait: its ``timeout`` (s), capped by ``max_poll_wait``."""
    raw = p.get("timeout")
    if raw is None or raw == "":
        return state.max_poll_wait
    try:
        asked = float(raw)
    except (TypeError, ValueError):
        raise bad_request("timeout must be a number of seconds") from None
    return max(0.0, min(asked, state.max_poll_wait))


@method("getUpdates")
async def get_updates(state: ZaloWorld, p: JSON) -> JSON:
    """Long poll: hand out at most one queued update (then it is gone), else 408 on timeout."""
    if state.webhook_url:
        raise bad_request("webhook is active; use deleteWebhook before getUpdates")
    wait = poll_wait(state, p)

    def take() -> JSON | bool | None:
        if state.queue:
            return state.queue.pop(0)
        return state.closing or None

    state.active_polls += 1
    state.notify()
    try:
        got = await state.wait_until(take, wait)
    finally:
        state.active_polls -= 1
    if not isinstance(got, dict):
        raise ApiError(408, "Request timeout")
    state.notify()
    return got


@method("setWebhook")
def set_webhook(state: ZaloWorld, p: JSON) -> JSON:
    """Set the webhook URL and secret; getUpdates is refused while it is set."""
    url = p.get("url")
    secret = p.get("secret_token")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise bad_request("url must be an http(s) URL")
    if not isinstance(secret, str) or len(secret) not in SECRET_LENGTH:
        raise bad_request("secret_token must be 8-256 characters")
    state.webhook_url, state.webhook_secret = url, secret
    state.webhook_updated_at = now_ms()
    state.notify()
    return {"url": url, "updated_at": state.webhook_updated_at}


@method("deleteWebhook")
def delete_webhook(state: ZaloWorld, p: JSON) -> JSON:
    """Remove the webhook; updates queue for getUpdates again."""
    state.webhook_url, state.webhook_secret = "", None
    state.webhook_updated_at = now_ms()
    state.notify()
    return {"url": "", "updated_at": state.webhook_updated_at}


@method("getWebhookInfo")
def get_webhook_info(state: ZaloWorld, p: JSON) -> JSON:
    """The current webhook URL (empty when none) and when it last changed."""
    return {"url": state.webhook_url, "updated_at": state.webhook_updated_at}
