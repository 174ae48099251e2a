"""The HTML report in a real headless Chromium, with the network blocked."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

import datacheck
from tests.conftest import SAMPLES

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

if not (CHROMIUM and DRIVER) and not os.environ.get("CI"):
    pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"onerror="window.__xss=2',
    '<img src=x onerror="window.__xss=3">',
    "</textarea><script>window.__xss=4</script>",
    "{{ 7*7 }}",
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
        # nothing leaves the machine: every host name fails, and any proxy use goes nowhere
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
        "--window-size=1200,900",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _open(browser, path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("performance")  # drop entries from earlier pages
    browser.get(path.as_uri())
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _requests(browser) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return [u for u in urls if not u.startswith(("file:", "data:", "about:", "blob:"))]


def _console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_sample_report_renders_offline_with_charts(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    report = datacheck.audit(SAMPLES / "tickets.jsonl").save_html(tmp_path / "report.html")
    assert report.stat().st_size < 5_000_000
    _open(browser, report)
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-volume svg.main-svg")
    )
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-tokens svg.main-svg")
    assert browser.find_element(By.CSS_SELECTOR, "#verdict h1").text == "Not ready"
    body = browser.find_element(By.TAG_NAME, "body").text
    for expected in ("Account has 4", "short", "'billing '", "1207", "Llama 3.1 8B"):
        assert expected in body
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart-volume .ytick text")
    assert [b.text for b in bars] == ["Account", "Billing", "Technical"]  # largest on top
    assert _console_errors(browser) == []
    assert _requests(browser) == []
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "sample-report.png"))


def test_payloads_in_texts_labels_and_field_names_stay_inert(browser, tmp_path):
    from selenium.webdriver.common.by import By

    texts = [f"ticket {i} says {PAYLOADS[i % len(PAYLOADS)]}" for i in range(40)]
    labels = [PAYLOADS[i % 3] for i in range(40)]
    texts += ["  ", " ".join(PAYLOADS)]  # an empty text and a variant label: both sampled
    labels += [PAYLOADS[0], PAYLOADS[0] + " "]
    frame = pl.DataFrame({PAYLOADS[2]: texts, PAYLOADS[0]: labels})
    result = datacheck.audit(frame, text_field=PAYLOADS[2], label_field=PAYLOADS[0])
    path = result.save_html(tmp_path / "xss.html")
    _open(browser, path)
    assert browser.execute_script("return window.__xss") is None
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert browser.find_elements(By.CSS_SELECTOR, "details .sample"), "samples are shown"
    for payload in PAYLOADS:
        assert payload.strip() in body, payload
    assert "49" not in body.split("Methods")[0]  # {{ 7*7 }} was not evaluated
    ticks = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#chart-volume .ytick text")]
    assert PAYLOADS[0] in ticks
    assert _console_errors(browser) == []
    assert _requests(browser) == []


def test_cdn_mode_is_small_and_references_the_cdn(tmp_path):
    html = datacheck.audit(SAMPLES / "orders_chat.jsonl").to_html(plotly_js="cdn")
    assert len(html) < 200_000
    assert 'src="https://cdn.plot.ly/plotly-' in html


def _sample_report(tmp_path) -> Path:
    return datacheck.audit(SAMPLES / "tickets.jsonl").save_html(tmp_path / "report.html")


def test_top_fixes_link_to_findings_errors_before_warnings(browser, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, _sample_report(tmp_path))
    errors = browser.find_elements(By.CSS_SELECTOR, "#top-errors a")
    warnings = browser.find_elements(By.CSS_SELECTOR, "#top-warnings a")
    assert errors and warnings
    for link in errors + warnings:
        target = link.get_attribute("href").split("#")[1]
        assert browser.find_element(By.ID, target).get_attribute("data-status") == "fail"
    severities = [
        browser.find_element(By.ID, a.get_attribute("href").split("#")[1]).get_attribute(
            "data-severity"
        )
        for a in errors
    ]
    assert set(severities) == {"error"}  # no warning under "fix the errors"
    toc = [
        a.get_attribute("href").split("#")[1]
        for a in browser.find_elements(By.CSS_SELECTOR, "#toc a")
    ]
    for section in toc:
        assert browser.find_elements(By.ID, section), section


def test_findings_filter_and_search(browser, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, _sample_report(tmp_path))
    rows = browser.find_elements(By.CSS_SELECTOR, "#findings tr.check")

    def shown():
        return [r.get_attribute("data-id") for r in rows if r.is_displayed()]

    everything = shown()
    browser.find_element(By.CSS_SELECTOR, "#finding-controls [data-show=fail]").click()
    failed = shown()
    assert failed and len(failed) < len(everything)
    assert all(
        browser.find_element(By.ID, f"check-{i}").get_attribute("data-status") == "fail"
        for i in failed
    )
    browser.find_element(By.CSS_SELECTOR, "#finding-controls [data-show=warning]").click()
    assert set(shown()) < set(failed)
    browser.find_element(By.CSS_SELECTOR, "#finding-controls [data-show=all]").click()
    browser.find_element(By.ID, "finding-search").send_keys("billing")
    assert shown() and "labels.variants" in shown() and len(shown()) < len(everything)


def test_findings_are_all_there_without_javascript(tmp_path):
    html = _sample_report(tmp_path).read_text("utf-8")
    assert '<div class="controls" id="finding-controls" hidden>' in html  # shown by the script
    assert html.count('<tr class="check"') == len(datacheck.audit(SAMPLES / "tickets.jsonl").checks)


def test_category_table_sorts(browser, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, _sample_report(tmp_path))

    def column(n):
        return [
            r.find_elements(By.TAG_NAME, "td")[n].text
            for r in browser.find_elements(By.CSS_SELECTOR, "#category-table tr")[1:]
        ]

    assert column(0) == ["Technical", "Billing", "Account"]
    header = browser.find_elements(By.CSS_SELECTOR, "#category-table th")
    header[1].click()
    assert column(0) == ["Account", "Billing", "Technical"]  # fewest first
    header[0].click()
    assert column(0) == ["Account", "Billing", "Technical"]
    header[0].click()
    assert column(0) == ["Technical", "Billing", "Account"]


def _many_labels(tmp_path, n=150) -> Path:
    names = [f"intent_{i:03d}_with_a_rather_long_descriptive_name" for i in range(n)]
    rows = [
        {"text": f"utterance {j} for {name}", "label": name}
        for i, name in enumerate(names)
        for j in range(1 + i % 7)
    ]
    frame = pl.DataFrame(rows)
    return datacheck.audit(frame, tokenizers=["cl100k_base"]).save_html(tmp_path / "many.html")


def test_150_labels_stay_readable(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, _many_labels(tmp_path))
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-volume svg.main-svg")
    )
    ticks = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#chart-volume .ytick text")]
    assert len(ticks) == 150 and all(
        t.endswith("_with_a_rather_long_descriptive_name") for t in ticks
    )
    boxes = [t.rect for t in browser.find_elements(By.CSS_SELECTOR, "#chart-volume .ytick text")]
    tops = sorted(b["y"] for b in boxes)
    assert min(b - a for a, b in zip(tops, tops[1:], strict=False)) >= 10  # no two labels overlap
    assert len(browser.find_elements(By.CSS_SELECTOR, "#category-table tr.short")) == 150
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "many-labels.png"))


@pytest.mark.parametrize("width", [1280, 390])
def test_no_sideways_scroll_and_readable_badges(browser, tmp_path, width):

    browser.set_window_size(width, 900)
    try:
        _open(browser, _sample_report(tmp_path))
        scroll, client = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{scroll}px of content in a {client}px window"
        broken = browser.execute_script(_BROKEN_NUMBERS)
        assert broken == [], "numbers broken across lines"
        ratios = browser.execute_script(_CONTRAST)
        assert ratios and min(ratios) >= 4.5, ratios
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / f"sample-report-{width}.png"))
    finally:
        browser.set_window_size(1200, 900)


_CONTRAST = """
function lum(color) {
  var c = color.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(function (v) {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
return Array.prototype.map.call(document.querySelectorAll('.badge'), function (el) {
  var s = getComputedStyle(el), a = lum(s.color), b = lum(s.backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
});
"""

_BROKEN_NUMBERS = """
var out = [];
document.querySelectorAll('td.num').forEach(function (cell) {
  cell.childNodes.forEach(function (node) {
    if (node.nodeType !== 3 || !node.textContent.trim()) return;
    var range = document.createRange(); range.selectNodeContents(node);
    var tops = {};
    Array.prototype.forEach.call(range.getClientRects(), function (r) {
      tops[Math.round(r.top)] = 1;
    });
    if (Object.keys(tops).length > 1) out.push(node.textContent);
  });
});
return out;
"""


def test_notebook_fragment_keeps_its_styles_inside(browser, tmp_path):
    from selenium.webdriver.common.by import By

    fragment = datacheck.audit(SAMPLES / "tickets.jsonl")._repr_html_()
    assert "<script" not in fragment and "<html" not in fragment and "<body" not in fragment
    page = tmp_path / "notebook.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body style='font-size:11px'>"
        "<h2 id='outside-h2'>Notebook cell</h2><table id='outside'><tr><td>1</td></tr></table>"
        f"<div id='cell'>{fragment}</div></body></html>",
        encoding="utf-8",
    )
    _open(browser, page)
    outside_table = browser.find_element(By.ID, "outside")
    assert outside_table.value_of_css_property("border-collapse") == "separate"
    assert (
        browser.find_element(By.ID, "outside-h2").value_of_css_property("border-bottom-style")
        == "none"
    )
    body = browser.find_element(By.TAG_NAME, "body")
    assert body.value_of_css_property("font-size") == "11px"
    inside = browser.find_element(By.CSS_SELECTOR, ".datacheck-report #findings")
    assert inside.value_of_css_property("border-collapse") == "collapse"
    assert "Not ready" in browser.find_element(By.CSS_SELECTOR, ".datacheck-report h1").text
    assert browser.find_elements(By.CSS_SELECTOR, ".datacheck-report #category-table tr.short")
    assert _requests(browser) == []
