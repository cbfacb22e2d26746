"""A step-by-step dialogue whose state lives in the database, so that its next message may reach
any process (several webhook workers behind a load balancer).

It keeps ConversationHandler's shape — entry points, a list of handlers per step, fallbacks, the
callbacks returning the next step, None to stay or END — but holds no state in memory: each update
from a person who may be in it loads their row (bot/usecases/dialogues.py), hands the decoded draft
to the callback in `context.user_data[key]`, and writes back what the callback left there (or ends
the dialogue). An update the dialogue does not take goes on to the other handlers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, ConversationHandler, TypeHandler

from bot.usecases import dialogues
from handlers.context import Ctx

END = ConversationHandler.END


class StoredDialogue:
    def __init__(self, kind: str, *, key: str, entry_points: Sequence[BaseHandler],  # type: ignore[type-arg]
                 states: dict[str, Sequence[BaseHandler]], fallbacks: Sequence[BaseHandler],  # type: ignore[type-arg]
                 timeout: Callable[[], timedelta], encode: Callable[[Any], str], decode: Callable[[str], Any],
                 may_hold: Callable[[Ctx], bool]) -> None:
        self.kind, self.key = kind, key
        self.entry_points, self.states, self.fallbacks = list(entry_points), states, list(fallbacks)
        self.timeout, self.encode, self.decode, self.may_hold = timeout, encode, decode, may_hold

    def handler(self) -> TypeHandler:  # type: ignore[type-arg]
        return TypeHandler(Update, self.dispatch)

    @staticmethod
    def _first(update: Update, handlers: Sequence[BaseHandler]) -> tuple[BaseHandler, object] | None:  # type: ignore[type-arg]
        for handler in handlers:
            check = handler.check_update(update)
            if check is not None and check is not False:
                return handler, check
        return None

    async def dispatch(self, update: Update, context: Ctx) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or context.user_data is None:
            return
        entry = self._first(update, self.entry_points)
        if entry is None and not self.may_hold(context):
            return  # cannot be in the dialogue: no statement spent on everybody else's messages
        now = context.now()
        stored = await dialogues.current(context.services.db, user.id, now=now)
        if stored is not None and stored.kind != self.kind:
            stored = None
        chosen = entry or (stored and (self._first(update, self.states.get(stored.step, ()))
                                       or self._first(update, self.fallbacks)))
        if not chosen:
            return
        if stored is not None:
            context.user_data[self.key] = self.decode(stored.data)
        else:
            context.user_data.pop(self.key, None)
        handler, check = chosen
        try:
            result = await handler.handle_update(update, context.application, check, context)
        finally:
            draft = context.user_data.pop(self.key, None)
        step = result if isinstance(result, str) else (stored.step if stored is not None and result is None else None)
        if result == END or draft is None or step is None:
            if stored is not None:
                await dialogues.end(context.services.db, user.id)
        else:
            await dialogues.keep(context.services.db,
                                 dialogues.Stored(user.id, chat.id, self.kind, step, self.encode(draft)),
                                 now=now, expires_at=now + self.timeout())
        raise ApplicationHandlerStop
