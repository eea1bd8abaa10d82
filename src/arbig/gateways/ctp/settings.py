"""The CTP login: the ``[ctp]`` settings resolved with their secrets, and what is missing.

The password and the auth code come from ``ARBIG_CTP__PASSWORD``/``ARBIG_CTP__AUTH_CODE``
(or the settings file) or from ``ctp.secret_file``, a TOML file with ``password`` and
``auth_code`` keys that only its owner may read (mode 600 or 400); a file others can
read is refused. ``CtpLogin`` masks both in its repr, so a log line, an audit entry, an
API answer or a traceback that shows the object never shows them.
"""

import stat
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from arbig.ctpconfig import CtpSettings


class CtpSettingsError(ValueError):
    """The CTP settings cannot be used; the message is one line naming what is wrong."""


@dataclass(frozen=True, slots=True)
class CtpLogin:
    """Everything the trader and market-data sessions log in with."""

    td_fronts: tuple[str, ...]
    md_fronts: tuple[str, ...]
    broker_id: str
    investor_id: str
    user_id: str
    app_id: str
    password: str = field(repr=False)
    auth_code: str = field(repr=False)
    product_info: str = "ARBIG"
    capital: Decimal = Decimal(0)

    def __repr__(self) -> str:
        return (
            f"CtpLogin(td_fronts={self.td_fronts!r}, md_fronts={self.md_fronts!r}, "
            f"broker_id={self.broker_id!r}, investor_id={self.investor_id!r}, "
            f"user_id={self.user_id!r}, app_id={self.app_id!r}, password='***', "
            "auth_code='***')"
        )

    __str__ = __repr__

    def missing(self, *, trader: bool = True, market_data: bool = True) -> list[str]:
        """The setting names that are still empty (for the one-line start-up message)."""
        wanted = {
            "ctp.td_fronts": trader and not self.td_fronts,
            "ctp.md_fronts": market_data and not self.md_fronts,
            "ctp.broker_id": not self.broker_id,
            "ctp.investor_id": not self.investor_id,
            "ctp.password": trader and not self.password,
            "ctp.app_id": trader and not self.app_id,
            "ctp.auth_code": trader and not self.auth_code,
            "ctp.capital": trader and self.capital <= 0,
        }
        return [name for name, absent in wanted.items() if absent]


def read_secret_file(path: Path) -> dict[str, str]:
    """``password``/``auth_code`` from an owner-only TOML file (CtpSettingsError else)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise CtpSettingsError(f"ctp.secret_file {path}: {exc.strerror}") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CtpSettingsError(
            f"ctp.secret_file {path} can be read by others "
            f"(mode {stat.S_IMODE(info.st_mode):03o}); run: chmod 600 {path}"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # The parser's message may quote the file's text, which holds the secrets.
        raise CtpSettingsError(
            f"ctp.secret_file {path}: not a readable TOML file ({type(exc).__name__})"
        ) from None
    unknown = sorted(set(data) - {"password", "auth_code"})
    if unknown:
        raise CtpSettingsError(
            f"ctp.secret_file {path}: unknown keys {', '.join(unknown)} "
            "(it holds password and auth_code only)"
        )
    secrets: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str):
            raise CtpSettingsError(f"ctp.secret_file {path}: {key} must be a string")
        secrets[key] = value
    return secrets


def resolve_login(settings: CtpSettings) -> CtpLogin:
    """The login from the settings; the secret file's values win over the settings'."""
    secrets = read_secret_file(settings.secret_file) if settings.secret_file else {}
    password = secrets.get("password") or (
        settings.password.get_secret_value() if settings.password else ""
    )
    auth_code = secrets.get("auth_code") or (
        settings.auth_code.get_secret_value() if settings.auth_code else ""
    )
    return CtpLogin(
        td_fronts=tuple(settings.td_fronts),
        md_fronts=tuple(settings.md_fronts),
        broker_id=settings.broker_id,
        investor_id=settings.investor_id,
        user_id=settings.login_user,
        app_id=settings.app_id,
        password=password,
        auth_code=auth_code,
        product_info=settings.product_info,
        capital=settings.capital,
    )
