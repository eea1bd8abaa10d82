"""The self-contained HTML report of a run or a sweep: one file, ECharts inlined (no
CDN, it opens offline), the data as JSON inside it.

A run: its figures, equity and drawdown, the price with entries and exits, daily P&L,
the trade list. A sweep: the ranked table and, over two parameters, a heatmap of the
ranking metric; then the best run's report.
"""

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from arbig.backtest.notes import note_text
from arbig.backtest.results import metrics_json, plain, series_json
from arbig.backtest.spec import BacktestResult

ECHARTS_PATHS = (
    Path(__file__).resolve().parents[3] / "frontend/node_modules/echarts/dist/echarts.min.js",
    Path(__file__).resolve().parents[1] / "web/static/vendor/echarts.min.js",
)
TRADES_SHOWN = 500


class ReportError(RuntimeError):
    """The report cannot be written (ECharts not found); the message says what to do."""


def echarts_source() -> str:
    for path in ECHARTS_PATHS:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise ReportError(
        "the HTML report inlines ECharts from the console's node_modules, which is not "
        "installed: run `make setup` (it runs npm ci in frontend/); the results are "
        "stored and printed all the same"
    )


def _json(data: Any) -> str:
    # Inside <script>, "</" would end the element early.
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def _figures(result: BacktestResult) -> list[tuple[str, str]]:
    m = result.metrics

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.2f}%"

    def num(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    hours = m.max_drawdown_duration_s / 3600
    return [
        ("Total return", pct(m.total_return)),
        ("Annualised return", pct(m.annual_return)),
        ("Sharpe", num(m.sharpe)),
        ("Sortino", num(m.sortino)),
        ("Max drawdown", f"{m.max_drawdown} ({pct(m.max_drawdown_pct)})"),
        ("Max drawdown duration", f"{hours:.1f} h"),
        ("Win rate", pct(m.win_rate)),
        ("Profit factor", num(m.profit_factor)),
        ("Fills", str(m.fills)),
        ("Trades per day", f"{m.trades_per_day:.2f}"),
        ("Commission", str(m.commission)),
        ("Trading days", str(m.trading_days)),
        ("Start / end balance", f"{m.capital} / {m.end_balance}"),
        ("Ticks replayed", f"{result.ticks:,} ({result.ticks_per_s:,.0f}/s)"),
    ]


def _table(rows: Sequence[Sequence[str]], head: Sequence[str]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _run_section(result: BacktestResult, code_version: str, prefix: str) -> str:
    spec = result.spec
    params = ", ".join(f"{k}={v}" for k, v in spec.params.items()) or "defaults"
    span = (
        f"{result.data_first:%Y-%m-%d %H:%M} to {result.data_last:%Y-%m-%d %H:%M}"
        if (result.data_first and result.data_last)
        else "no data"
    )
    fills = [
        [
            f"{f.datetime:%Y-%m-%d %H:%M:%S}",
            str(f.side),
            str(f.offset),
            str(f.price),
            str(f.volume),
            str(f.commission),
            str(f.realized_pnl),
        ]
        for f in result.fills[:TRADES_SHOWN]
    ]
    more = len(result.fills) - len(fills)
    notes = "".join(f"<p class=note>{html.escape(note_text(n))}</p>" for n in result.notes)
    data = {"series": series_json(result), "metrics": metrics_json(result.metrics)}
    return f"""
<section>
<h2>{html.escape(spec.strategy)} on {html.escape(spec.symbol)} ({html.escape(params)})</h2>
<p class=meta>Data {html.escape(span)}, {spec.mode}; fill model: latency {spec.fill.latency_ms} ms,
slippage {spec.fill.slippage_ticks} ticks, depth {"capped" if spec.fill.depth else "unlimited"};
code {html.escape(code_version)}.</p>{notes}
{_table(_figures(result), ("Figure", "Value"))}
<div id="{prefix}-equity" class=chart></div>
<div id="{prefix}-price" class=chart></div>
<div id="{prefix}-daily" class="chart small"></div>
<h3>Trades ({len(result.fills)})</h3>
{_table(fills, ("Time", "Side", "Offset", "Price", "Lots", "Commission", "Realized"))}
{f"<p class=note>{more} more fills are in the stored run.</p>" if more > 0 else ""}
<script type="application/json" id="{prefix}-data">{_json(data)}</script>
<script>drawRun("{prefix}");</script>
</section>"""


_SCRIPT = """
function drawRun(prefix) {
  const data = JSON.parse(document.getElementById(prefix + "-data").textContent).series;
  const curve = data.curve.map(p => [p[0], Number(p[1])]);
  let peak = -Infinity;
  const dd = curve.map(p => { peak = Math.max(peak, p[1]); return [p[0], p[1] - peak]; });
  echarts.init(document.getElementById(prefix + "-equity")).setOption({
    title: {text: "Equity and drawdown"}, tooltip: {trigger: "axis"}, animation: false,
    grid: [{top: 40, height: "50%"}, {top: "70%", height: "20%"}],
    xAxis: [{type: "time", gridIndex: 0}, {type: "time", gridIndex: 1}],
    yAxis: [{scale: true, gridIndex: 0}, {gridIndex: 1}],
    dataZoom: [{type: "inside", xAxisIndex: [0, 1]}],
    series: [
      {name: "equity", type: "line", showSymbol: false, data: curve, sampling: "lttb"},
      {name: "drawdown", type: "line", showSymbol: false, areaStyle: {}, data: dd,
       xAxisIndex: 1, yAxisIndex: 1, sampling: "lttb"}]});
  const fills = data.fills;
  const mark = (side, open) => fills.filter(f => f.side === side && (f.offset === "open") === open)
    .map(f => [f.datetime, Number(f.price)]);
  echarts.init(document.getElementById(prefix + "-price")).setOption({
    title: {text: "Price with entries and exits"}, tooltip: {trigger: "axis"}, animation: false,
    legend: {top: 0, right: 0}, xAxis: {type: "time"}, yAxis: {scale: true},
    dataZoom: [{type: "inside"}],
    series: [
      {name: "close", type: "line", showSymbol: false, sampling: "lttb",
       data: data.prices.map(p => [p[0], Number(p[1])])},
      {name: "buy to open", type: "scatter", symbol: "triangle", data: mark("buy", true)},
      {name: "sell to open", type: "scatter", symbol: "triangle", symbolRotate: 180,
       data: mark("sell", true)},
      {name: "buy to close", type: "scatter", symbol: "circle", data: mark("buy", false)},
      {name: "sell to close", type: "scatter", symbol: "diamond", data: mark("sell", false)}]});
  echarts.init(document.getElementById(prefix + "-daily")).setOption({
    title: {text: "Daily P&L"}, tooltip: {trigger: "axis"}, animation: false,
    xAxis: {type: "category", data: data.days.map(d => d.trading_day)}, yAxis: {},
    series: [{type: "bar", data: data.days.map(d => Number(d.pnl))}]});
}
function drawHeatmap(id) {
  const d = JSON.parse(document.getElementById(id + "-data").textContent);
  const values = d.cells.map(c => c[2]).filter(v => v !== null);
  echarts.init(document.getElementById(id)).setOption({
    title: {text: d.metric + " by " + d.y + " and " + d.x}, tooltip: {}, animation: false,
    xAxis: {type: "category", name: d.x, data: d.xs},
    yAxis: {type: "category", name: d.y, data: d.ys},
    visualMap: {min: Math.min(...values), max: Math.max(...values), calculable: true,
                orient: "horizontal", left: "center", bottom: 0},
    series: [{type: "heatmap", data: d.cells, label: {show: true,
              formatter: p => p.value[2] === null ? "n/a" : p.value[2].toFixed(3)}}]});
}
"""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f3f3f3; }
.chart { width: 100%; height: 420px; margin: 1em 0; }
.chart.small { height: 260px; }
.meta, .note { color: #555; font-size: 13px; }
"""


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_STYLE}</style>
<script>{echarts_source()}</script>
<script>{_SCRIPT}</script></head>
<body><h1>{html.escape(title)}</h1>{body}</body></html>
"""


def run_report(result: BacktestResult, code_version: str) -> str:
    """The HTML page of one run."""
    return _page(
        f"ARBIG backtest: {result.spec.strategy}", _run_section(result, code_version, "r0")
    )


def heatmap_data(
    ranked: Sequence[BacktestResult], axes: Sequence[str], metric: str
) -> dict[str, Any] | None:
    """The heatmap of ``metric`` over the first two grid axes; None with fewer than two."""
    if len(axes) < 2:
        return None
    x, y = axes[0], axes[1]
    xs = sorted({r.spec.params[x] for r in ranked}, key=str)
    ys = sorted({r.spec.params[y] for r in ranked}, key=str)
    cells = []
    for result in ranked:
        value = getattr(result.metrics, metric)
        cells.append(
            [
                xs.index(result.spec.params[x]),
                ys.index(result.spec.params[y]),
                None if value is None else float(value),
            ]
        )
    return {"x": x, "y": y, "xs": [str(v) for v in xs], "ys": [str(v) for v in ys],
            "cells": cells, "metric": metric}  # fmt: skip


def sweep_report(
    ranked: Sequence[BacktestResult], axes: Sequence[str], metric: str, code_version: str
) -> str:
    """The HTML page of a sweep: ranked table, heatmap, the best run."""
    rows = []
    for place, result in enumerate(ranked, 1):
        m = metrics_json(result.metrics)
        rows.append(
            [str(place)]
            + [str(result.spec.params.get(a)) for a in axes]
            + [_fmt(m.get(name)) for name in ("total_return", "sharpe", "max_drawdown_pct")]
            + [str(result.metrics.fills)]
        )
    head = ["#", *axes, "total return", "sharpe", "max drawdown", "fills"]
    heat = heatmap_data(ranked, axes, metric)
    heat_html = ""
    if heat is not None:
        heat_html = (
            '<div id="heat" class=chart></div>'
            f'<script type="application/json" id="heat-data">{_json(plain(heat))}</script>'
            '<script>drawHeatmap("heat");</script>'
        )
    body = (
        f"<h2>{len(ranked)} combinations ranked by {html.escape(metric)}</h2>"
        + _table(rows, head)
        + heat_html
        + "<h2>The best combination</h2>"
        + _run_section(ranked[0], code_version, "r0")
    )
    return _page(f"ARBIG sweep: {ranked[0].spec.strategy}", body)


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
