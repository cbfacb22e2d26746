"""Readers of the documents people send the bot (a .docx of minutes …) into plain text: bytes in,
text out, no Telegram and no storage."""
