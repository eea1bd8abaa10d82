"""The ``[ctp]`` settings: the broker connection of the ``ctp`` and ``paper`` gateways.

Kept beside ``config.py`` (which embeds it as ``Settings.ctp``) rather than in the
gateway package, so that the configuration does not import the gateways. Secrets
(password, auth code) are ``SecretStr``: their repr is masked, so they never reach a
log, a crash report or an API answer. They come from ``ARBIG_CTP__PASSWORD`` and
``ARBIG_CTP__AUTH_CODE`` or from ``secret_file``, a TOML file only its owner may read
(``arbig.gateways.ctp.settings`` resolves and checks them).
"""

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

_FRONT_SCHEMES = ("tcp://", "ssl://", "socks5://")


def _check_fronts(value: list[str]) -> list[str]:
    for front in value:
        if not front.startswith(_FRONT_SCHEMES) or ":" not in front.split("://", 1)[1]:
            raise ValueError(f"a front is tcp://host:port, got {front!r}")
    return list(dict.fromkeys(value))


class CtpSettings(BaseModel):
    """A CTP broker account. docs/ctp.md says where each value comes from."""

    td_fronts: list[str] = Field(
        default_factory=list, description="trader fronts, tcp://host:port, tried in order"
    )
    md_fronts: list[str] = Field(
        default_factory=list, description="market-data fronts, tcp://host:port"
    )
    broker_id: str = Field("", max_length=10, description="the broker's id (SimNow: 9999)")
    investor_id: str = Field("", max_length=12, description="the account (investor) id")
    user_id: str = Field("", max_length=15, description="the login user; the investor id if empty")
    app_id: str = Field("", max_length=32, description="the terminal's app id from the broker")
    password: SecretStr | None = Field(None, description="better in secret_file or the env")
    auth_code: SecretStr | None = Field(None, description="the app id's authentication code")
    secret_file: Path | None = Field(
        None, description="TOML with password and auth_code, readable only by its owner"
    )
    product_info: str = Field("ARBIG", max_length=10, description="UserProductInfo at login")
    flow_dir: Path | None = Field(None, description="CTP's flow files; <data_dir>/ctp when unset")
    private_topic: Literal["restart", "resume", "quick"] = Field(
        "restart",
        description="where the day's orders and trades resume after a (re)connect: "
        "restart replays the whole day (deduplicated), resume from the flow file, "
        "quick only what comes after the login (the queries fill the gap)",
    )
    step_timeout_s: float = Field(
        15.0, gt=0, le=600, description="longest wait for one session step's answer"
    )
    connect_timeout_s: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="arbig run waits this long for the trader session to trade before "
        "it gives up starting",
    )
    check_timeout_s: float = Field(
        60.0, gt=0, le=3600, description="`arbig ctp check` gives up after this"
    )
    query_interval_s: float = Field(
        1.05, ge=0, le=10, description="CTP allows one query a second on the trader front"
    )
    capital: Decimal = Field(
        Decimal(0),
        ge=0,
        description="the balance ARBIG's book counts from (the account's balance when ARBIG "
        "first kept it); the broker's account report stays the truth for money",
    )

    @field_validator("td_fronts", "md_fronts")
    @classmethod
    def _fronts(cls, value: list[str]) -> list[str]:
        return _check_fronts(value)

    @property
    def login_user(self) -> str:
        return self.user_id or self.investor_id
