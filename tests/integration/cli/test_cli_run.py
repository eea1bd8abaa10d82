"""``arbig`` and ``arbig run``: what the operator sees before any server starts.

Every refusal is one line on standard error, ``arbig: ...``, exit code 2, and
never a traceback. ``run`` is started as a real child process with a timeout, and
each case here fails before the server would bind, so none is left running.
"""

import re
from pathlib import Path

import pytest
from clirun import arbig, port_taken

from arbig.auth.credential_file import CredentialFile

COMMANDS = [
    "run",
    "version",
    "auth",
    "db",
    "contract",
    "data",
    "strategy",
    "account",
    "notify",
    "ctp",
]
HELP_ROW = re.compile(r"^│ (?P<name>[a-z-]+)\s{2,}(?P<help>\S.*?)\s*│$")


def assert_one_line_refusal(outcome_code: int, stderr: str, expected: str) -> None:
    assert outcome_code == 2, stderr
    assert "Traceback" not in stderr
    [line] = stderr.splitlines()
    assert line.startswith("arbig: "), line
    assert expected in line, line


def help_rows(text: str) -> dict[str, str]:
    rows = {}
    for line in text.splitlines():
        match = HELP_ROW.match(line)
        if match:
            rows[match["name"]] = match["help"]
    return rows


# --- help --------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_each_command_with_a_line_of_its_own(tmp_path: Path, command: str) -> None:
    outcome = arbig("--help", cwd=tmp_path, env={"COLUMNS": "200"})

    assert outcome.code == 0, outcome.stderr
    rows = help_rows(outcome.stdout)
    assert command in rows, outcome.stdout
    assert rows[command], f"{command} has no help line"


# --- configuration -----------------------------------------------------------------


def test_a_bad_value_in_the_toml_file_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text('port = "eighty"\n')

    outcome = arbig("run", "--config", str(config), "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(outcome.code, outcome.stderr, "arbig: setting port (env ARBIG_PORT)")
    assert "'eighty'" in outcome.stderr


def test_a_bad_nested_value_in_the_toml_file_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text("[sim]\nspeed = 0\n")

    outcome = arbig("run", "--config", str(config), "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(
        outcome.code, outcome.stderr, "arbig: setting sim.speed (env ARBIG_SIM__SPEED)"
    )


def test_an_unknown_notification_url_scheme_names_the_channel(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text('[notify.channels.desk]\nurl = "pager://desk"\n')

    outcome = arbig("run", "--config", str(config), "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(outcome.code, outcome.stderr, "setting notify.channels.desk.url")
    assert "unknown notification URL scheme 'pager'" in outcome.stderr


def test_a_negative_protection_threshold_names_the_setting(tmp_path: Path) -> None:
    env = {"ARBIG_PROTECTIONS__DAILY_LOSS_LIMIT_YUAN": "-5000"}

    outcome = arbig("run", "--data-dir", "data", cwd=tmp_path, env=env)

    assert_one_line_refusal(
        outcome.code,
        outcome.stderr,
        "setting protections.daily_loss_limit_yuan (env ARBIG_PROTECTIONS__DAILY_LOSS_LIMIT_YUAN)",
    )


def test_an_unknown_key_in_the_toml_file_names_it(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text('colour = "gold"\n')

    outcome = arbig("run", "--config", str(config), "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(outcome.code, outcome.stderr, "arbig: setting colour")


def test_an_unknown_gateway_in_the_toml_file_stops_start_up_naming_the_known_ones(
    tmp_path: Path,
) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text('gateway = "ib"\n')

    outcome = arbig("run", "--config", str(config), "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(
        outcome.code,
        outcome.stderr,
        "arbig: unknown gateway 'ib' (setting gateway, env ARBIG_GATEWAY); "
        "known gateways: ctp, paper, sim",
    )


def test_an_unknown_gateway_in_the_environment_stops_start_up(tmp_path: Path) -> None:
    outcome = arbig("run", "--data-dir", "data", cwd=tmp_path, env={"ARBIG_GATEWAY": "ib"})

    assert_one_line_refusal(outcome.code, outcome.stderr, "unknown gateway 'ib'")
    assert "known gateways: ctp, paper, sim" in outcome.stderr


def test_the_ctp_gateway_without_its_settings_says_in_one_line_what_is_missing(
    tmp_path: Path,
) -> None:
    outcome = arbig("run", "--gateway", "ctp", "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(
        outcome.code,
        outcome.stderr,
        "arbig: gateway ctp cannot start: CTP settings missing: ctp.td_fronts, ctp.md_fronts, "
        "ctp.broker_id, ctp.investor_id, ctp.password, ctp.app_id, ctp.auth_code, ctp.capital "
        "(see docs/ctp.md)",
    )


def test_a_toml_file_that_does_not_parse_names_the_file_and_the_line(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text("port = \n[sim\n")

    outcome = arbig("run", "--config", str(config), "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(outcome.code, outcome.stderr, f"arbig: config file {config}")
    assert "line 1" in outcome.stderr


def test_a_toml_file_named_by_arbig_config_that_does_not_parse_names_the_file(
    tmp_path: Path,
) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text("port = \n")

    outcome = arbig("run", "--data-dir", "data", cwd=tmp_path, env={"ARBIG_CONFIG": str(config)})

    assert_one_line_refusal(outcome.code, outcome.stderr, f"arbig: config file {config}")


def test_a_missing_config_file_is_refused(tmp_path: Path) -> None:
    outcome = arbig("run", "--config", "nowhere.toml", "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(
        outcome.code, outcome.stderr, "arbig: config file nowhere.toml does not exist"
    )


def test_a_missing_config_file_named_by_arbig_config_is_refused(tmp_path: Path) -> None:
    # The port is taken so that, were the file ignored, run would stop at the port
    # check instead of starting a server.
    with port_taken() as port:
        outcome = arbig(
            "run",
            "--data-dir",
            "data",
            "--port",
            str(port),
            cwd=tmp_path,
            env={"ARBIG_CONFIG": str(tmp_path / "nowhere.toml")},
        )

    assert_one_line_refusal(outcome.code, outcome.stderr, "nowhere.toml does not exist")


@pytest.mark.parametrize(
    ("variable", "value", "setting"),
    [
        ("ARBIG_PORT", "eighty", "setting port (env ARBIG_PORT)"),
        ("ARBIG_PORT", "0", "setting port (env ARBIG_PORT)"),
        ("ARBIG_SIM__SPEED", "fast", "setting sim.speed (env ARBIG_SIM__SPEED)"),
        ("ARBIG_MAIN_CONTRACT", "ag2612", "setting main_contract (env ARBIG_MAIN_CONTRACT)"),
        ("ARBIG_LOG_LEVEL", "loud", "setting log_level (env ARBIG_LOG_LEVEL)"),
    ],
)
def test_a_bad_environment_value_names_the_setting(
    tmp_path: Path, variable: str, value: str, setting: str
) -> None:
    outcome = arbig("run", "--data-dir", "data", cwd=tmp_path, env={variable: value})

    assert_one_line_refusal(outcome.code, outcome.stderr, f"arbig: {setting}")
    assert repr(value) in outcome.stderr


# --- binding -----------------------------------------------------------------------


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    with port_taken() as port:
        outcome = arbig("run", "--port", str(port), "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(outcome.code, outcome.stderr, f"port {port} on 127.0.0.1 is in use")


def test_binding_to_every_interface_without_a_password_is_refused(tmp_path: Path) -> None:
    outcome = arbig("run", "--host", "0.0.0.0", "--data-dir", "data", cwd=tmp_path)

    assert_one_line_refusal(outcome.code, outcome.stderr, "refusing to bind to 0.0.0.0")
    assert "no operator password is set" in outcome.stderr
    assert "arbig auth set-password" in outcome.stderr
    assert not (tmp_path / "data" / "arbig.sqlite3").exists()


def test_with_a_password_set_every_interface_passes_the_password_check(tmp_path: Path) -> None:
    store = CredentialFile(tmp_path / "data")
    creds = store.load()
    creds.set_password("correct horse battery")
    store.save(creds)

    # The port is taken, so run stops at the next check instead of serving.
    with port_taken("0.0.0.0") as port:
        outcome = arbig(
            "run", "--host", "0.0.0.0", "--port", str(port), "--data-dir", "data", cwd=tmp_path
        )

    assert_one_line_refusal(outcome.code, outcome.stderr, f"port {port} on 0.0.0.0 is in use")
