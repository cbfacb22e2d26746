"""Texts of several processes on one database (issue 17): what a broadcast's report adds when a
process stopped while sending it."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # appended to "broadcast.report" when some of its messages were sent again after a crash
    "broadcast.report_resent": (
        "其中 {n} 人可能收到两次：发送途中程序中断，为免漏发已重新发送。",
        " {n} of them may have received it twice: a process stopped while sending, and it was sent again rather than risk a miss.",
    ),
    # rows left in flight by a crash under a release before 0011, which did not send them again
    "broadcast.report_unconfirmed": (
        "另有 {n} 人在发送途中程序中断，无法确认是否收到。",
        " For {n} more, a process stopped while sending and delivery is unconfirmed.",
    ),
}
