"""Where the data lives: a SQLite file (a path), or a PostgreSQL server (a connection string).

``THIDUA_DATABASE=data/thidua.db`` keeps the embedded SQLite file, the default for one
machine; ``THIDUA_DATABASE=postgresql://user:password@host:5432/thidua`` selects a
PostgreSQL server, for a ministry's deployment on two machines. A connection string is a
:class:`ServerDatabase`, which never prints its password: not in a log line, an error, the
``--help`` of a command, nor a ``repr``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

SCHEMES = ("postgresql", "postgres")
_SERVER = re.compile(r"^(postgresql|postgres)://", re.IGNORECASE)
HIDDEN = "***"


_USERINFO_PASSWORD = re.compile(r"(://[^/@:]*:)[^/]*@")
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def hide_password(text: str) -> str:
    """``text`` (a connection string, well formed or not) with any password in it hidden."""
    return _QUERY_PASSWORD.sub(rf"\g<1>{HIDDEN}", _USERINFO_PASSWORD.sub(rf"\g<1>{HIDDEN}@", text))


def is_server_address(value: str) -> bool:
    """Whether ``value`` names a PostgreSQL server rather than a file."""
    return _SERVER.match(value.strip()) is not None


class ServerDatabase:
    """A PostgreSQL connection string, shown with its password hidden."""

    __slots__ = ("_dsn",)

    def __init__(self, dsn: str) -> None:
        dsn = dsn.strip()
        if not is_server_address(dsn):
            raise ValueError("a PostgreSQL connection string begins with postgresql://")
        parts = urlsplit(dsn)
        try:
            parts.port  # noqa: B018 (a port that is not a number is refused here)
        except ValueError:
            raise ValueError("the PostgreSQL connection string's port is not a number") from None
        self._dsn = dsn

    def connection_string(self) -> str:
        """The whole string, password included: for the driver alone."""
        return self._dsn

    @property
    def password(self) -> str | None:
        """The password it carries (in the address or as ``?password=``), to redact."""
        parts = urlsplit(self._dsn)
        if parts.password:
            return unquote(parts.password)
        for key, value in parse_qsl(parts.query):
            if key == "password":
                return value
        return None

    def __str__(self) -> str:
        parts = urlsplit(self._dsn)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            name = user.split(":", 1)[0]
            netloc = f"{name}:{HIDDEN}@{host}"
        query = urlencode([(key, HIDDEN if key == "password" else value)
                           for key, value in parse_qsl(parts.query)], safe="/:*",
                          quote_via=quote)
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

    def __repr__(self) -> str:
        return f"ServerDatabase({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerDatabase) and other._dsn == self._dsn

    def __hash__(self) -> int:
        return hash(self._dsn)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate, serialization=core_schema.to_string_ser_schema())

    @classmethod
    def _validate(cls, value: object) -> ServerDatabase:
        if isinstance(value, ServerDatabase):
            return value
        if isinstance(value, str):
            return cls(value)
        raise ValueError("a PostgreSQL connection string begins with postgresql://")


DatabaseAddress = Path | ServerDatabase


def database_address(value: str | Path | ServerDatabase) -> DatabaseAddress:
    """A setting's or an option's value as a file's path or a server's address."""
    if isinstance(value, ServerDatabase | Path):
        return value
    return ServerDatabase(value) if is_server_address(value) else Path(value)
