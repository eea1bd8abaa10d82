"""The Backtest page in the browser: a run started from the form on a simulated day of
the catalog is followed to its end, listed, opened (its charts drawn) and compared with
a second; a request that cannot run shows the refusal next to the field it names."""

import pytest
from arbig_server import SYMBOL, ArbigServer, arbig
from console_kit import SCREENSHOTS, Console
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DAY = "2026-06-02"
RUN_TIMEOUT_MS = 180_000  # a loaded 2-core machine; a run of bars takes seconds


@pytest.fixture(scope="module", autouse=True)
def simulated_day(server: ArbigServer) -> None:
    """One simulated trading day in the server's catalog (`arbig data synth`)."""
    arbig(
        "data", "synth", "--days", "1", "--end", DAY, "--symbol", SYMBOL,
        "--data-dir", str(server.data_dir),
    )  # fmt: skip


def fill_form(page: Page, params: str) -> None:
    page.get_by_test_id("bt-strategy").select_option("ma_crossover")
    page.get_by_test_id("bt-params").fill(params)
    page.get_by_test_id("bt-symbol").fill(SYMBOL)
    page.get_by_test_id("bt-first").fill(DAY)
    page.get_by_test_id("bt-last").fill(DAY)
    page.get_by_test_id("bt-mode").select_option("bars")


def run_to_the_end(page: Page, params: str) -> None:
    rows = page.get_by_test_id("bt-run-row")
    before = rows.count()
    fill_form(page, params)
    page.get_by_test_id("bt-start").click()
    expect(rows).to_have_count(before + 1)
    newest = rows.first
    expect(newest).to_have_attribute("data-status", "done", timeout=RUN_TIMEOUT_MS)


def test_a_run_is_started_followed_and_opened_with_its_charts(console: Console) -> None:
    page = console.page
    page.goto(console.url("/backtest"))
    expect(page.get_by_test_id("backtest-page")).to_be_visible()
    expect(page.get_by_test_id("bt-run-row")).to_have_count(0)

    run_to_the_end(page, '{"fast": 3, "slow": 8}')
    page.get_by_test_id("bt-open").first.click()
    report = page.get_by_test_id("bt-report")
    expect(report).to_be_visible()
    expect(report.get_by_test_id("bt-metrics")).to_contain_text("夏普比率")
    for chart in ("bt-equity-chart", "bt-price-chart"):
        expect(report.get_by_test_id(chart).locator("canvas")).to_have_count(1)
    assert "run=" in page.url
    page.wait_for_timeout(800)  # let the charts draw
    page.screenshot(path=str(SCREENSHOTS / "backtest.png"), full_page=True)
    # the seeded day ends with a lot held: the note is worded in the console's language
    expect(report.get_by_test_id("bt-note")).to_contain_text("结束时仍持有的仓位")

    run_to_the_end(page, '{"fast": 5, "slow": 20}')
    expect(page.get_by_test_id("bt-run-row")).to_have_count(2)
    for pick in page.get_by_test_id("bt-pick").all():
        pick.check()
    page.get_by_test_id("bt-compare-go").click()
    compare = page.get_by_test_id("bt-compare")
    expect(compare).to_contain_text("slow=20")
    expect(compare.get_by_test_id("bt-compare-chart").locator("canvas")).to_have_count(1)
    assert console.errors == []


def test_a_refused_run_shows_why_next_to_the_field(console: Console) -> None:
    page = console.page
    page.goto(console.url("/backtest"))
    fill_form(page, '{"fast": 0}')
    page.get_by_test_id("bt-start").click()
    expect(page.get_by_test_id("bt-error-params")).to_contain_text("fast")

    fill_form(page, "{}")
    page.get_by_test_id("bt-first").fill("2026-06-05")
    page.get_by_test_id("bt-start").click()
    expect(page.get_by_test_id("bt-error-last")).to_contain_text("after")
    expect(page.get_by_test_id("bt-error-params")).to_have_count(0)

    fill_form(page, "{}")
    page.get_by_test_id("bt-first").fill("2030-01-02")
    page.get_by_test_id("bt-last").fill("2030-01-02")
    page.get_by_test_id("bt-start").click()
    expect(page.get_by_test_id("bt-error-first")).to_contain_text("no trading day")
    # the browser logs each refused request (422) as a failed resource, nothing else
    assert [e for e in console.errors if "422" not in e] == []


def test_a_sweep_opens_as_its_ranking_and_heatmap(console: Console, server: ArbigServer) -> None:
    arbig(
        "backtest", "ma_crossover", "--bars", "--from", DAY, "--to", DAY,
        "--grid", "fast=3,5", "--grid", "slow=8,20", "--workers", "2",
        "--data-dir", str(server.data_dir),
    )  # fmt: skip
    page = console.page
    page.goto(console.url("/backtest"))
    sweep = page.get_by_test_id("bt-run-row").filter(has_text="参数扫描：4 组")
    sweep.first.get_by_test_id("bt-open").click()
    view = page.get_by_test_id("bt-sweep")
    expect(view.get_by_test_id("bt-ranked").locator("tbody tr")).to_have_count(4)
    expect(view.get_by_test_id("bt-heatmap").locator("canvas")).to_have_count(1)
    page.get_by_test_id("bt-rank").select_option("total_return")
    first = view.get_by_test_id("bt-ranked").locator("tbody tr").first
    expect(first.locator("td").first).to_have_text("1")
    assert "sweep=" in page.url
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "backtest-sweep.png"), full_page=True)
    assert console.errors == []
