"""Configuration, exactly as CONTRACT.md's table: environment variables and a `.env` file.

Built once by the composition root (`bot.cli`) and passed down; nothing reads it at import time.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

from bot.rules.digest import Schedule, parse_schedule

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///liaison.db"


def dashboard_url_ok(value: str) -> bool:
    """An https:// address with a host: Telegram opens Mini Apps over HTTPS only (a menu button or
    web_app button with another address is refused). For a desk check without one, leave it unset
    and open `python -m bot dashboard-link`'s address."""
    where = urlsplit(value)
    return where.scheme == "https" and bool(where.hostname)


class Settings(BaseSettings):
    """Every knob an operator can turn. Field names map 1:1 to the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None)
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    bot_admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    bot_timezone: str = "Asia/Shanghai"
    bot_language: Literal["zh", "en"] = "zh"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    dashboard_url: str | None = None  # the Mini App's public HTTPS address (directors' /dashboard)
    web_listen: str = "127.0.0.1"  # the dashboard and /healthz outside webhook mode
    web_port: int = 8080
    digest_weekly: str = "mon 09:00"
    digest_monthly: str = "1 09:00"
    digest_quarterly: str = "1 09:00"  # days after the reporting deadline, and the time
    summary_llm_url: str | None = None
    summary_llm_model: str | None = None
    summary_llm_api_key: SecretStr | None = None

    @field_validator("bot_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated numeric Telegram user ids") from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("webhook_url", "dashboard_url", "summary_llm_url", "summary_llm_model", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("dashboard_url")
    @classmethod
    def _web_app_url(cls, value: str | None) -> str | None:
        if value is not None and not dashboard_url_ok(value):
            raise ValueError("must be an https:// address (Telegram opens Mini Apps over HTTPS only; "
                             "to try the dashboard without one, leave it unset and use `python -m bot dashboard-link`)")
        return value

    @model_validator(mode="after")
    def _valid_schedule(self) -> Settings:
        parse_schedule(self.digest_weekly, self.digest_monthly, self.digest_quarterly)
        return self

    @property
    def schedule(self) -> Schedule:
        return parse_schedule(self.digest_weekly, self.digest_monthly, self.digest_quarterly)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line."""
        return [s.get_secret_value() for s in (self.telegram_bot_token, self.webhook_secret, self.summary_llm_api_key) if s]

    def token(self) -> str:
        """The token in clear, for the few places that must hand it to PTB."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
