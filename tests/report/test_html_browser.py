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
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart-volume .xtick text")
    assert [b.text for b in bars] == ["Technical", "Billing", "Account"]
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
    ticks = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#chart-volume .xtick text")]
    assert PAYLOADS[0] in ticks
    assert _console_errors(browser) == []
    assert _requests(browser) == []


def test_cdn_mode_is_small_and_references_the_cdn(tmp_path):
    html = datacheck.audit(SAMPLES / "orders_chat.jsonl").to_html(plotly_js="cdn")
    assert len(html) < 200_000
    assert 'src="https://cdn.plot.ly/plotly-' in html
