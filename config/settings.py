"""Runtime settings read from the environment (and a ``.env`` file).

The variable names are part of the bot's interface: operators put them in
systemd units and ``.env`` files, so they never change once published.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["vi", "en"]


class Settings(BaseSettings):
    """Everything the bot needs to start; CLI options override these values."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN")
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        validation_alias=AliasChoices("THIDUA_TELEGRAM_API_URL"),
    )
    database: Path = Field(
        default=Path("data/thidua.db"), validation_alias=AliasChoices("THIDUA_DATABASE")
    )
    bloc_file: Path = Field(
        default=Path("config/bloc.example.yaml"),
        validation_alias=AliasChoices("THIDUA_BLOC_FILE"),
    )
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh", validation_alias=AliasChoices("THIDUA_TIMEZONE")
    )
    language: Language = Field(default="vi", validation_alias=AliasChoices("THIDUA_LANGUAGE"))
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), validation_alias=AliasChoices("THIDUA_ADMIN_IDS")
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        """Accept ``"123, 456"`` as well as a list of ids."""
        if isinstance(value, str):
            parts = value.replace(";", ",").split(",")
            return frozenset(int(part) for part in parts if part.strip())
        return value

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_token(cls, value: object) -> object:
        """A token of only spaces (an empty line in .env) means no token."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Ho_Chi_Minh)") from exc
        return value

    def token_value(self) -> str | None:
        """The bot token in clear, for the channel that needs it; never log it."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None
