"""Runtime settings read from the environment (and a ``.env`` file).

The variable names are part of the bot's interface: operators put them in
systemd units and ``.env`` files, so they never change once published.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.database import ServerDatabase, database_address

Language = Literal["vi", "en"]
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_\-]{8,256}")


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
    database: Path | ServerDatabase = Field(
        default=Path("data/thidua.db"), validation_alias=AliasChoices("THIDUA_DATABASE")
    )
    """A SQLite file's path, or ``postgresql://…`` for a PostgreSQL server."""
    files_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("THIDUA_FILES_DIR")
    )
    """Where files offered by link are kept: beside a SQLite file by default, ``data/files``
    with PostgreSQL (two instances share one folder)."""
    bloc_file: Path = Field(
        default=Path("config/bloc.example.yaml"),
        validation_alias=AliasChoices("THIDUA_BLOC_FILE"),
    )
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh", validation_alias=AliasChoices("THIDUA_TIMEZONE")
    )
    language: Language = Field(default="vi", validation_alias=AliasChoices("THIDUA_LANGUAGE"))
    zalo_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_BOT_TOKEN")
    )
    zalo_api_url: str = Field(
        default="https://bot-api.zaloplatforms.com",
        validation_alias=AliasChoices("THIDUA_ZALO_API_URL"),
    )
    webhook_url: str | None = Field(
        default=None, validation_alias=AliasChoices("THIDUA_WEBHOOK_URL")
    )
    public_url: str | None = Field(
        default=None, validation_alias=AliasChoices("THIDUA_PUBLIC_URL")
    )
    webhook_listen: str = Field(
        default="127.0.0.1:8080", validation_alias=AliasChoices("THIDUA_WEBHOOK_LISTEN")
    )
    webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("THIDUA_WEBHOOK_SECRET")
    )
    log_format: Literal["text", "json"] = Field(
        default="text", validation_alias=AliasChoices("THIDUA_LOG_FORMAT"))
    """``json``: one JSON object per log line, for a log collector (secrets still redacted)."""
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), validation_alias=AliasChoices("THIDUA_ADMIN_IDS")
    )

    @field_validator("database", mode="before")
    @classmethod
    def _database_address(cls, value: object) -> object:
        if isinstance(value, str | Path | ServerDatabase):
            return database_address(value)
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        """Accept ``"123, 456"`` as well as a list of ids."""
        if isinstance(value, str):
            parts = value.replace(";", ",").split(",")
            return frozenset(int(part) for part in parts if part.strip())
        return value

    @field_validator("telegram_bot_token", "zalo_bot_token", "webhook_secret", "webhook_url",
                     "public_url", "files_dir", mode="before")
    @classmethod
    def _blank_token(cls, value: object) -> object:
        """A value of only spaces (an empty line in .env) means none."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_url", "zalo_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("webhook_url", "public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query:
            raise ValueError("a web address such as https://bot.example.gov.vn/thidua")
        return value.strip().rstrip("/")

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("host:port, e.g. 127.0.0.1:8080")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 of A-Z a-z 0-9 _ -, Zalo 8-256 characters: both at once
        if value is not None and not _SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("8 to 256 characters among A-Z, a-z, 0-9, _ and -")
        return value

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

    def zalo_token_value(self) -> str | None:
        """The Zalo bot token in clear, for the Zalo channel only; never log it."""
        return self.zalo_bot_token.get_secret_value() if self.zalo_bot_token else None

    def listen_address(self) -> tuple[str, int]:
        """Where the webhook server listens: (host, port)."""
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    def secrets(self) -> list[str]:
        """Every secret this configuration holds, for redaction in logs."""
        return [value for value in (self.token_value(), self.zalo_token_value(),
                                    self.webhook_secret.get_secret_value()
                                    if self.webhook_secret else None,
                                    self.database.password
                                    if isinstance(self.database, ServerDatabase) else None)
                if value]

    def files_folder(self) -> Path:
        """Where files offered by link are kept (``THIDUA_FILES_DIR``)."""
        if self.files_dir is not None:
            return self.files_dir
        if isinstance(self.database, ServerDatabase):
            return Path("data/files")
        return self.database.parent / f"{self.database.name}.files"
