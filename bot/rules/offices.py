"""Offices in a tree (a city's office and its districts'): who acts in which office, with which
roles. Pure: the tree comes in as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.rules.roles import Role

ROOT = 1  # the root office's id (storage creates it first)


@dataclass(frozen=True)
class OfficeTree:
    parents: Mapping[int, int | None]  # office id → its parent's id (None for the root)

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(self.parents) or frozenset({ROOT})

    def up(self, office: int) -> list[int]:
        """The office, its parent, …, the root."""
        chain, seen = [], set()
        current: int | None = office
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            current = self.parents.get(current)
        return chain

    def depth(self, office: int) -> int:
        return len(self.up(office)) - 1

    def children(self, office: int) -> list[int]:
        return sorted(o for o, p in self.parents.items() if p == office)

    def below(self, office: int) -> frozenset[int]:
        """The office and every office under it."""
        out, todo = {office}, [office]
        while todo:
            for child in self.children(todo.pop()):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return frozenset(out)

    def within(self, office: int, scope: int) -> bool:
        """Whether `office` is `scope` or under it."""
        return scope in self.up(office)


def parse_tree(value: str | None) -> OfficeTree:
    """From `id:parent,…` (an empty parent for the root), as storage aggregates it."""
    parents: dict[int, int | None] = {}
    for entry in (value or "").split(","):
        if not entry:
            continue
        office, _, parent = entry.partition(":")
        parents[int(office)] = int(parent) if parent else None
    return OfficeTree(parents)


def parse_grants(value: str | None) -> frozenset[tuple[str, int]]:
    """From `role@office,…`."""
    out = set()
    for entry in (value or "").split(","):
        role, _, office = entry.partition("@")
        if role and office:
            out.add((role, int(office)))
    return frozenset(out)


@dataclass(frozen=True)
class Standing:
    """Where a person acts and with which roles there, and the offices they may switch to."""

    office: int
    roles: frozenset[Role]
    offices: tuple[int, ...]  # every office they may act in (/office), in tree order


def standing(tree: OfficeTree, *, grants: Iterable[tuple[str, int]], config_admin: bool,
             liaison_office: int | None, chosen: int | None) -> Standing:
    """Admins and directors act in the office of their role and every office below it; the
    configured admins (BOT_ADMIN_IDS) in every office; a liaison in their department's office.
    The chosen office (/office) counts while they may act there; otherwise the highest office they
    hold a role in (the root for a configured admin, else the liaison's office)."""
    grants = [(role, office) for role, office in grants if role in (Role.ADMIN, Role.DIRECTOR)]
    root = min((o for o, p in tree.parents.items() if p is None), default=ROOT)
    reach: set[int] = set(tree.ids) if config_admin else set()
    for _, office in grants:
        reach |= tree.below(office)
    if liaison_office is not None:
        reach.add(liaison_office)
    if chosen is not None and chosen in reach:
        office = chosen
    elif config_admin:
        office = root
    elif grants:
        office = min((o for _, o in grants), key=lambda o: (tree.depth(o), o))
    elif liaison_office is not None:
        office = liaison_office
    else:
        office = root
    chain = set(tree.up(office))
    roles = {Role(role) for role, held_in in grants if held_in in chain}
    if config_admin:
        roles.add(Role.ADMIN)
    if liaison_office is not None:
        roles.add(Role.LIAISON)
    ordered = sorted(reach or {office}, key=lambda o: (tree.depth(o), o))
    return Standing(office, frozenset(roles), tuple(ordered))


def tree_of(parents: Mapping[int, int | None]) -> OfficeTree:
    return OfficeTree(dict(parents))
