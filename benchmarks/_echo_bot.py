"""The baseline for benchmarks.inbound: a bare PTB Application with one MessageHandler that replies
with the text. Configured like the real bot: TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL; with
WEBHOOK_URL set it serves PTB's own webhook (Updater.start_webhook) on WEBHOOK_LISTEN:WEBHOOK_PORT
at WEBHOOK_URL's path, checking WEBHOOK_SECRET, as `python -m bot` does, and says so in the same
words ("receiving updates by webhook") once the webhook is set.

    python -m benchmarks._echo_bot [--rate-limiter]   (--rate-limiter: PTB's AIORateLimiter, as bot/app.py)"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def serve_webhook(app: Application) -> None:  # type: ignore[type-arg]
    url = os.environ["WEBHOOK_URL"]
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_webhook(listen=os.environ.get("WEBHOOK_LISTEN", "127.0.0.1"),
                                    port=int(os.environ.get("WEBHOOK_PORT", "8443")),
                                    url_path=urlsplit(url).path.lstrip("/"), webhook_url=url,
                                    secret_token=os.environ.get("WEBHOOK_SECRET"), allowed_updates=ALLOWED_UPDATES)
    await app.start()
    print(f"echo bot: receiving updates by webhook for {url}", flush=True)
    await stop.wait()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


def main() -> int:
    builder = Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["TELEGRAM_API_BASE_URL"])
    if "--rate-limiter" in sys.argv[1:]:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    if os.environ.get("WEBHOOK_URL"):
        asyncio.run(serve_webhook(app))
        return 0
    app.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
