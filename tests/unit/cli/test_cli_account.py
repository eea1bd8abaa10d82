"""``arbig account deposit|withdraw AMOUNT``: an amount that is not a positive sum of
money is refused in one line naming AMOUNT, before any console is asked."""

import pytest
from clikit import invoke


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("lots", "AMOUNT must be a number, got 'lots'"),
        ("0", "AMOUNT must be positive, got '0'"),
        ("-500", "AMOUNT must be positive, got '-500'"),
        ("nan", "AMOUNT must be positive, got 'nan'"),
        ("10.005", "AMOUNT must be in whole cents, got '10.005'"),
    ],
)
@pytest.mark.parametrize("command", ["deposit", "withdraw"])
def test_an_amount_that_is_not_a_positive_sum_is_refused_naming_the_argument(
    command: str, amount: str, expected: str
) -> None:
    # Nothing listens on the port: a refusal that got as far as asking would say so.
    result = invoke("account", command, "--url", "http://127.0.0.1:9", "--yes", "--", amount)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip() == f"arbig: {expected}"


def test_a_good_amount_goes_to_the_console() -> None:
    result = invoke("account", "deposit", "--url", "http://127.0.0.1:9", "--yes", "50000")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "arbig: no console answering at http://127.0.0.1:9: start it with `arbig run`"
    )


def test_the_account_commands_are_listed() -> None:
    result = invoke("account", "--help")
    assert result.exit_code == 0
    assert "deposit" in result.output and "withdraw" in result.output
