"""A bare python-telegram-bot echo bot: the ceiling benchmark 1 compares the bot with.

``python -m bench.echo_bot API_URL TOKEN [aiohttp]``. Configured like the real bot where
it is about PTB itself (long polling, concurrent updates) and nothing else: no rate
limiter, no database, no logic. With ``aiohttp`` it posts through the bot's own transport
(``bot/channels/telegram_transport.py``) instead of PTB's default httpx, to show what the
transport alone is worth.
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.channels.telegram_transport import AiohttpRequest


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.message is not None and update.message.text:
        await update.message.reply_text(update.message.text)


def main() -> None:
    api_url, token = sys.argv[1], sys.argv[2]
    builder = (ApplicationBuilder().token(token).base_url(f"{api_url}/bot")
               .base_file_url(f"{api_url}/file/bot").concurrent_updates(True))
    if sys.argv[3:] == ["aiohttp"]:
        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest())
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=10, allowed_updates=["message"])


if __name__ == "__main__":
    main()
