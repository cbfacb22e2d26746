"""Pure rendering: plain data in, Telegram HTML text and inline keyboards (as Bot API dicts) out."""
