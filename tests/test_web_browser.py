"""`minutes serve` in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by Selenium against uvicorn on 127.0.0.1. Home page, a search for "rehabilitering", a facet
that narrows it, a case with its source page image, a reference followed; a screenshot of each step
in the folder the test names, and no errors in the browser's console."""
from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="headless Chromium not installed (Debian packages chromium and chromium-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(built_warehouse: Path, tmp_path_factory):
    import uvicorn

    from pipeline.web.app import create_app
    app = create_app(built_warehouse, ROOT, tmp_path_factory.mktemp("page-images"))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1280,1600"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _click_to(browser, element, timeout: float = 30.0) -> None:
    """Click a link or button and wait for the page it opens: a click returns once the browser has
    the event, before it has navigated, so the next look at the page could see the old one."""
    before = browser.current_url
    element.click()
    deadline = time.monotonic() + timeout
    while browser.current_url == before or browser.execute_script("return document.readyState") != "complete":
        assert time.monotonic() < deadline, f"no page opened from {before}"
        time.sleep(0.05)


def test_search_facet_case_page_image_and_reference(server: str, browser, tmp_path: Path):
    from selenium.webdriver.common.by import By

    shots = tmp_path / "screenshots"
    shots.mkdir()
    step = iter(range(1, 100))

    def shot(name: str) -> None:
        assert browser.save_screenshot(str(shots / f"{next(step):02d}-{name}.png"))

    browser.get(server + "/")
    assert "minutes" in browser.title
    shot("home")

    box = browser.find_element(By.ID, "home-q")
    box.send_keys("rehabilitering")
    _click_to(browser, browser.find_element(By.ID, "home-search"))
    assert "/search?q=rehabilitering" in browser.current_url
    hits = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")]
    assert hits
    shot("search")

    facet = browser.find_element(By.CSS_SELECTOR, "#facet-partnership li")
    value = facet.find_element(By.TAG_NAME, "a").text
    count = int(facet.find_element(By.CSS_SELECTOR, ".n").text)
    _click_to(browser, facet.find_element(By.TAG_NAME, "a"))
    assert f"partnership={value}" in browser.current_url
    narrowed = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")]
    assert len(narrowed) == count
    assert browser.find_element(By.CSS_SELECTOR, ".active .chip").text.startswith(f"partnership: {value}")
    shot("facet")

    # the first case found: its fields and the page of its source PDF
    browser.get(narrowed[0])
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Case")
    img = browser.find_element(By.ID, "source-page")
    browser.execute_script("arguments[0].scrollIntoView();", img)
    deadline = time.monotonic() + 30
    while not browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img):
        assert time.monotonic() < deadline, "the source page image did not load"
        time.sleep(0.1)
    assert browser.execute_script("return arguments[0].naturalWidth", img) > 500
    shot("case-with-page-image")

    # a reference: on this case, else on a case of its meeting (the corpus's references are there)
    if not browser.find_elements(By.CSS_SELECTOR, "ul.references a"):
        _click_to(browser, browser.find_element(By.CSS_SELECTOR, "dl.fields a[href^='/meetings/']"))
        shot("meeting")
        for link in [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href^='/cases/']")]:
            browser.get(link)
            if browser.find_elements(By.CSS_SELECTOR, "ul.references a"):
                break
    ref = browser.find_element(By.CSS_SELECTOR, "ul.references a")
    shot("case-with-reference")
    target = ref.get_attribute("href")
    _click_to(browser, ref)
    assert browser.current_url == target
    assert "Not found" not in browser.find_element(By.TAG_NAME, "h1").text
    shot("reference-followed")
    print(f"screenshots: {shots}")

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    assert len(list(shots.glob("*.png"))) >= 6



def test_person_page_and_topics_chart(server: str, browser, tmp_path: Path):
    """From a meeting to a person's page (attendance per year, meetings with status), then the topics
    chart: an SVG drawn by the server whose bar opens the search for that topic and year."""
    from selenium.webdriver.common.by import By

    shots = tmp_path / "screenshots"
    shots.mkdir()
    step = iter(range(1, 100))

    def shot(name: str) -> None:
        assert browser.save_screenshot(str(shots / f"{next(step):02d}-{name}.png"))

    browser.get(server + "/people")
    assert browser.find_element(By.CSS_SELECTOR, ".pager .showing").text.startswith("showing 1–")
    shot("people")
    browser.get(server + "/meetings")
    _click_to(browser, browser.find_element(By.CSS_SELECTOR, "td a[href^='/meetings/']"))
    person = browser.find_element(By.CSS_SELECTOR, "a.person")
    name = person.text
    _click_to(browser, person)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(name)
    assert browser.find_elements(By.CSS_SELECTOR, "#attendance-by-year tbody tr")
    statuses = {td.text for td in browser.find_elements(By.CSS_SELECTOR, "#person-meetings td[class^='status-']")}
    assert statuses and statuses <= {"present", "absent", "unknown", "invited"}
    shot("person")
    _click_to(browser, browser.find_element(By.CSS_SELECTOR, "#person-meetings a[href^='/meetings/']"))
    assert "Not found" not in browser.find_element(By.TAG_NAME, "h1").text
    org = browser.find_elements(By.CSS_SELECTOR, "a.organisation")
    if org:
        _click_to(browser, org[0])
        assert browser.find_elements(By.CSS_SELECTOR, "#organisation-people a.person")
        shot("organisation")

    browser.get(server + "/topics")
    chart = browser.find_element(By.ID, "topics-chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 100
    bars = browser.find_elements(By.CSS_SELECTOR, "#topics-chart a.bar")
    assert bars
    fill = browser.execute_script("return getComputedStyle(arguments[0].querySelector('rect')).fill", bars[0])
    assert fill not in ("", "none", "rgb(0, 0, 0)")  # coloured by the stylesheet, which the CSP allows
    shot("topics-chart")
    title = bars[0].find_element(By.TAG_NAME, "title").get_attribute("textContent")
    count = int(title.rsplit(": ", 1)[1].split()[0])
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", bars[0])
    deadline = time.monotonic() + 20
    while "/search?" not in browser.current_url:
        assert time.monotonic() < deadline, "the bar did not open the search"
        time.sleep(0.1)
    assert "topic=" in browser.current_url and "year=" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, ".pager .showing").text.endswith(f"of {count}")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")) == min(count, 20)
    shot("topics-bar-search")

    # a case's source PDF, opened at the case's page in the browser's own viewer, under the same CSP
    _click_to(browser, browser.find_element(By.CSS_SELECTOR, ".hit h3 a"))
    source = browser.find_element(By.ID, "source-file").get_attribute("href")
    assert re.search(r"/files/[0-9a-f]{64}\.pdf#page=\d+$", source)
    browser.get(source)
    assert browser.execute_script("return document.contentType") == "application/pdf"
    shot("source-pdf")
    print(f"screenshots: {shots}")

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    assert len(list(shots.glob("*.png"))) >= 5
