"""The bot's own web pages: the directors' dashboard (a Telegram Mini App) and its JSON API."""
