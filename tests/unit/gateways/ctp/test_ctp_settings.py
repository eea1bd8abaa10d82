"""The CTP login: settings and secrets, masked wherever the object is shown."""

import logging
from pathlib import Path

import pytest
import structlog

from arbig.config import ConfigError, load_settings
from arbig.ctpconfig import CtpSettings
from arbig.gateways.ctp.environment import ctp_problems, locale_available
from arbig.gateways.ctp.settings import CtpSettingsError, read_secret_file, resolve_login

PASSWORD = "s3cret-pass"
AUTH_CODE = "0000000000000000"


def complete(**changes: object) -> CtpSettings:
    values: dict[str, object] = {
        "td_fronts": ["tcp://182.254.243.31:30001"],
        "md_fronts": ["tcp://182.254.243.31:30011"],
        "broker_id": "9999",
        "investor_id": "123456",
        "app_id": "simnow_client_test",
        "password": PASSWORD,
        "auth_code": AUTH_CODE,
        "capital": "1000000",
    }
    values.update(changes)
    return CtpSettings.model_validate(values)


def secret_file(tmp_path: Path, mode: int, text: str | None = None) -> Path:
    path = tmp_path / "ctp-secrets.toml"
    path.write_text(text or f'password = "{PASSWORD}"\nauth_code = "{AUTH_CODE}"\n')
    path.chmod(mode)
    return path


def test_the_secrets_never_show_in_a_repr_a_str_or_the_settings_dump() -> None:
    settings = complete()
    login = resolve_login(settings)
    assert login.password == PASSWORD and login.auth_code == AUTH_CODE
    for shown in (repr(login), str(login), repr(settings), str(settings.model_dump())):
        assert PASSWORD not in shown and AUTH_CODE not in shown
    assert "investor_id='123456'" in repr(login)


def test_a_logged_login_does_not_carry_its_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    structlog.get_logger("test").warning("ctp login", login=resolve_login(complete()))
    logging.getLogger("test").warning("login %r", resolve_login(complete()))
    out = capsys.readouterr()
    assert PASSWORD not in out.out + out.err


def test_the_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARBIG_CTP__PASSWORD", PASSWORD)
    monkeypatch.setenv("ARBIG_CTP__AUTH_CODE", AUTH_CODE)
    monkeypatch.setenv("ARBIG_CTP__BROKER_ID", "9999")
    login = resolve_login(load_settings().ctp)
    assert (login.password, login.auth_code, login.broker_id) == (PASSWORD, AUTH_CODE, "9999")


def test_an_owner_only_secret_file_gives_the_secrets(tmp_path: Path) -> None:
    path = secret_file(tmp_path, 0o600)
    login = resolve_login(complete(password=None, auth_code=None, secret_file=path))
    assert (login.password, login.auth_code) == (PASSWORD, AUTH_CODE)


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = secret_file(tmp_path, 0o644)
    with pytest.raises(CtpSettingsError) as refused:
        read_secret_file(path)
    assert "can be read by others (mode 644); run: chmod 600" in str(refused.value)


def test_a_broken_secret_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = secret_file(tmp_path, 0o600, text=f'password = "{PASSWORD}\n')
    with pytest.raises(CtpSettingsError) as refused:
        read_secret_file(path)
    assert PASSWORD not in str(refused.value)
    assert "not a readable TOML file" in str(refused.value)
    other = secret_file(tmp_path, 0o600, text='password = "x"\nbroker_id = "9999"\n')
    with pytest.raises(CtpSettingsError, match="unknown keys broker_id"):
        read_secret_file(other)


def test_a_missing_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CtpSettingsError, match=r"ctp\.secret_file .*No such file"):
        read_secret_file(tmp_path / "absent.toml")


def test_what_is_missing_is_listed_by_setting_name() -> None:
    assert resolve_login(complete()).missing() == []
    missing = resolve_login(CtpSettings()).missing()
    assert missing == [
        "ctp.td_fronts",
        "ctp.md_fronts",
        "ctp.broker_id",
        "ctp.investor_id",
        "ctp.password",
        "ctp.app_id",
        "ctp.auth_code",
        "ctp.capital",
    ]
    market_data_only = resolve_login(CtpSettings(md_fronts=["tcp://h:1"], broker_id="9999"))
    assert market_data_only.missing(trader=False) == ["ctp.investor_id"]


def test_a_front_must_be_a_tcp_address() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(ctp={"td_fronts": ["182.254.243.31:30001"]})
    assert "setting ctp.td_fronts" in str(refused.value)
    assert "a front is tcp://host:port" in str(refused.value)


def test_a_bad_auth_code_setting_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(ctp={"auth_code": ["not", AUTH_CODE]})
    assert AUTH_CODE not in str(refused.value)


def test_the_locale_check_does_not_change_the_process_locale() -> None:
    import locale

    before = locale.setlocale(locale.LC_ALL)
    assert locale_available("C")
    assert not locale_available("xx_XX.NOPE")
    locale_available()
    assert locale.setlocale(locale.LC_ALL) == before


@pytest.mark.skipif(not locale_available(), reason="needs the zh_CN.GB18030 locale")
def test_problems_are_listed_in_one_line_each() -> None:
    assert ctp_problems(complete()) == []
    problems = ctp_problems(CtpSettings())
    assert problems[-1].startswith("CTP settings missing: ctp.td_fronts, ctp.md_fronts")
    assert all("\n" not in problem for problem in problems)


def test_the_test_machine_has_the_ctp_locale() -> None:
    # The CTP tests import openctp_ctp, which aborts without it: system-deps.sh installs it.
    assert locale_available(), "run as root: bash scripts/ctp-locale.sh"
