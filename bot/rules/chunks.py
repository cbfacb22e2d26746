"""Splitting long texts for Telegram (4096 characters per message) on line boundaries."""

from __future__ import annotations

TELEGRAM_TEXT_LIMIT = 4096


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between lines; only a single line longer than
    `limit` is cut inside itself. Nothing is dropped: every line appears, in order.

    Each line of a bot text is self-contained HTML, so cutting between lines keeps tags balanced."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append("\n".join(current))
                current, size = [], 0
            pieces.append(line[:limit])
            line = line[limit:]
        extra = len(line) + (1 if current else 0)
        if current and size + extra > limit:
            pieces.append("\n".join(current))
            current, size = [], 0
            extra = len(line)
        current.append(line)
        size += extra
    if current or not pieces:
        pieces.append("\n".join(current))
    return pieces
