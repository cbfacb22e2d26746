"""Department and working-group names: normalisation and forgiving lookup.

A typed name is found by its full name, an alias from the org file (经信委 → 区经济信息委), or a
fragment that only one name contains (财政局 → 区财政局). A fragment several names contain gives
those names as candidates; a name found no way at all gets up to three "did you mean" suggestions,
the known names and aliases most like it (rapidfuzz's normalised Indel similarity, at least
SUGGEST_CUTOFF out of 100: one wrong character in a four-character name scores 75, while a made-up
name sharing only 区…局 scores 50 and gets none).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

SUGGEST_MAX = 3
SUGGEST_CUTOFF = 60.0
LEVEL_PREFIXES = ("区", "市", "县")


def normalize_name(name: str) -> str:
    """NFKC (full-width → half-width), trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class Match:
    """Result of looking a typed name up among known names.

    `found`: the known (canonical) name; else `candidates`: the names an ambiguous fragment fits;
    else `suggestions`: up to three names the query resembles, most similar first."""

    found: str | None
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def find_name(query: str, names: Iterable[str], aliases: Mapping[str, str] | None = None) -> Match:
    """Exact name, then exact alias, then a unique name or alias containing the query; otherwise
    the candidates (several partial matches) or suggestions (none).

    `aliases` maps an alias to its canonical name, which should be one of `names`."""
    wanted = normalize_name(query)
    pool = list(dict.fromkeys(names))
    if not wanted:
        return Match(None)
    # every spelling (normalised) → canonical name; names win over aliases, earlier over later
    spellings: dict[str, str] = {}
    for name in pool:
        spellings.setdefault(normalize_name(name), name)
    for alias, canonical in (aliases or {}).items():
        spellings.setdefault(normalize_name(alias), canonical)
    spellings.pop("", None)
    if wanted in spellings:
        return Match(spellings[wanted])
    partial = _unique(canonical for spelling, canonical in spellings.items() if wanted in spelling)
    if len(partial) == 1:
        return Match(partial[0])
    if partial:
        return Match(None, partial)
    return Match(None, suggestions=suggest(wanted, spellings))


def suggest(query: str, spellings: Mapping[str, str]) -> tuple[str, ...]:
    """Up to SUGGEST_MAX canonical names whose spellings are most like `query` (normalised)."""
    keyed = dict(spellings)
    # People drop the level prefix (财正局 for 区财正局): compare with it dropped too.
    for spelling, canonical in spellings.items():
        if len(spelling) > 2 and spelling[0] in LEVEL_PREFIXES:
            keyed.setdefault(spelling[1:], canonical)
    keys = list(keyed)
    ranked = process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=SUGGEST_CUTOFF, limit=None)
    # rapidfuzz sorts by score, then by position: ties keep the caller's order
    return _unique(keyed[key] for key, _score, _index in ranked)[:SUGGEST_MAX]
