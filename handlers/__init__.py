"""Telegram updates in: parse, call one use case, render. One module per feature.

Handlers never touch the database or decide business rules; they import the use cases,
the pure rules and the texts."""
