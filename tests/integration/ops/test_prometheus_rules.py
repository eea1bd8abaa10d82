"""The shipped alert rules pass `promtool check rules` and their unit tests
(deploy/prometheus/arbig-rules.test.yml); the scrape example passes `promtool check
config`. promtool comes with Debian's `prometheus` (scripts/system-deps.sh)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).parents[3] / "deploy" / "prometheus"


def promtool(*args: str, cwd: Path = DEPLOY) -> str:
    binary = shutil.which("promtool")
    if binary is None:
        reason = "promtool is not installed (scripts/system-deps.sh installs prometheus)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    done = subprocess.run(
        [binary, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_alert_rules_are_valid() -> None:
    assert "SUCCESS" in promtool("check", "rules", "arbig-rules.yml")


def test_each_alert_fires_on_its_series_and_not_on_healthy_ones() -> None:
    assert "SUCCESS" in promtool("test", "rules", "arbig-rules.test.yml")


def test_the_scrape_example_is_a_valid_configuration(tmp_path: Path) -> None:
    for name in ("prometheus.yml", "arbig-rules.yml"):
        shutil.copy(DEPLOY / name, tmp_path / name)
    (tmp_path / "arbig.token").write_text("arbig_example\n")
    assert "SUCCESS" in promtool("check", "config", "prometheus.yml", cwd=tmp_path)
