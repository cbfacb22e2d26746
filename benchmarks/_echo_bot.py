"""The baseline for benchmarks.inbound: a bare PTB Application with one MessageHandler that replies
with the text. Configured like the real bot: TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL.

    python -m benchmarks._echo_bot [--rate-limiter]   (--rate-limiter: PTB's AIORateLimiter, as bot/app.py)"""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


def main() -> int:
    builder = Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["TELEGRAM_API_BASE_URL"])
    if "--rate-limiter" in sys.argv[1:]:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.run_polling(allowed_updates=["message", "edited_message", "callback_query"], close_loop=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
