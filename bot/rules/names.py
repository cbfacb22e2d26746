"""Department and working-group names: normalisation and forgiving lookup."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


def normalize_name(name: str) -> str:
    """NFKC (full-width → half-width), trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class Match:
    """Result of looking a typed name up among known names."""

    found: str | None
    candidates: tuple[str, ...] = ()


def find_name(query: str, names: Iterable[str]) -> Match:
    """Exact match first; otherwise a unique name containing the query (e.g. 财政局 → 区财政局).

    Several partial matches come back as candidates so the caller can ask which one was meant.
    """
    wanted = normalize_name(query)
    pool = list(names)
    if not wanted:
        return Match(None)
    for name in pool:
        if normalize_name(name) == wanted:
            return Match(name)
    partial = tuple(n for n in pool if wanted in normalize_name(n))
    if len(partial) == 1:
        return Match(partial[0])
    return Match(None, partial)
