"""The shipped alert rules and dashboard only ask for series ARBIG exports."""

import json
import re
from pathlib import Path

import yaml
from opskit import account, money, tick
from test_ops_metrics import rig

from arbig.engine.bus import EventType

DEPLOY = Path(__file__).parents[3] / "deploy"
SERIES = re.compile(r"\b(arbig_[a-z_]+)")


def exported_series() -> set[str]:
    metrics, bus, _, _ = rig(money=money())
    bus.publish(EventType.TICK, tick())
    bus.publish(EventType.ACCOUNT, account("1000000"))
    names: set[str] = set()
    for family in metrics.registry.collect():
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count"))
        else:
            names.add(family.name)
    return names


def rule_expressions() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "arbig-rules.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "arbig-dashboard.json").read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_alert_rules_use_exported_series() -> None:
    exported = exported_series()
    used = {name for expr in rule_expressions() for name in SERIES.findall(expr)}
    assert used, "no ARBIG series in the rules"
    assert used <= exported, used - exported


def test_dashboard_panels_use_exported_series() -> None:
    exported = exported_series()
    used = {name for expr in dashboard_expressions() for name in SERIES.findall(expr)}
    assert len(used) > 20
    assert used <= exported, used - exported


def test_every_alert_has_a_panel_showing_its_figure() -> None:
    shown = {name for expr in dashboard_expressions() for name in SERIES.findall(expr)}
    for expr in rule_expressions():
        assert set(SERIES.findall(expr)) <= shown, expr
