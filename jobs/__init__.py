"""Scheduled work: the tick, reminders, escalations, digests and the outbox sender."""
