"""Invite codes: unguessable, stored only as digests, valid once for seven days."""

from datetime import UTC, datetime, timedelta

from bot.rules import invites as r


NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_codes_are_long_random_and_fit_a_deep_link():
    codes = {r.new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(r.looks_like_code(c) and len(c) <= 64 for c in codes)
    assert all(len(c) >= 22 for c in codes)  # 16 random bytes → 128 bits


def test_only_the_digest_is_kept_and_it_does_not_reveal_the_code():
    code = r.new_code()
    digest = r.code_digest(code)
    assert code not in digest and len(digest) == 64
    assert r.code_digest(f"  {code} ") == digest


def test_state_follows_use_revocation_and_expiry():
    created = NOW
    facts = r.InviteFacts(expires_at=r.expires_at(created), used_at=None, revoked_at=None)
    assert r.invite_state(facts, created + timedelta(days=6, hours=23)) == r.InviteState.VALID
    assert r.invite_state(facts, created + timedelta(days=7)) == r.InviteState.EXPIRED
    assert r.invite_state(None, created) == r.InviteState.UNKNOWN
    used = r.InviteFacts(facts.expires_at, used_at=created, revoked_at=None)
    assert r.invite_state(used, created) == r.InviteState.USED
    revoked = r.InviteFacts(facts.expires_at, used_at=None, revoked_at=created)
    assert r.invite_state(revoked, created) == r.InviteState.REVOKED


def test_text_that_cannot_be_a_code_is_recognised_before_any_lookup():
    assert not r.looks_like_code("区财政局")
    assert not r.looks_like_code("short")
    assert not r.looks_like_code("x" * 65)
    assert not r.looks_like_code("'; DROP TABLE invite_codes; --")


def test_wrong_attempts_lock_after_five():
    assert not r.attempts_exhausted(4)
    assert r.attempts_exhausted(5)


def test_deep_link_uses_the_start_parameter():
    assert r.deep_link("desk_bot", "abc_DEF-123") == "https://t.me/desk_bot?start=abc_DEF-123"
