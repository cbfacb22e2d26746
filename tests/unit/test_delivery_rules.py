"""Pacing under Telegram's limits and retry back-off, with time as a number."""

from datetime import timedelta

from bot.rules.delivery import Outgoing, Pacer, backoff


def simulate(pacer: Pacer, chats: list[int]) -> list[float]:
    """Send to `chats` in order as early as the pacer allows; return the send times."""
    now, times = 0.0, []
    for chat in chats:
        now = pacer.ready_at(chat, now)
        pacer.record(chat, now)
        times.append(now)
    return times


def max_in_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_never_more_than_30_in_any_second_yet_close_to_30_per_second():
    times = simulate(Pacer(), list(range(1, 601)))
    assert max_in_window(times, 1.0) <= 30
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate >= 0.95 * 30


def test_one_message_per_second_to_the_same_private_chat():
    times = simulate(Pacer(), [7] * 5)
    assert [round(b - a, 6) for a, b in zip(times, times[1:])] == [1.0] * 4


def test_at_most_20_per_minute_to_a_group():
    times = simulate(Pacer(), [-100] * 45)
    assert max_in_window(times, 60.0) <= 20
    assert times[20] >= times[0] + 60.0


def test_a_pause_holds_every_chat():
    pacer = Pacer()
    pacer.pause(0.0, 5.0)
    assert pacer.ready_at(1, 0.0) == 5.0 and pacer.ready_at(-5, 1.0) == 5.0


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff(30) == timedelta(minutes=5).total_seconds()


def test_outgoing_kind_follows_the_attachment():
    assert Outgoing(1, "k", text="x").kind == "text"
    assert Outgoing(1, "k", document=b"x", filename="a.xlsx").kind == "document"
    assert Outgoing(1, "k", photo=b"x").kind == "photo"
