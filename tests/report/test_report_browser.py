"""The class report in a real browser: headless Chromium renders it, runs no student script, fetches nothing.

Each check is first shown to work on a control page that does run a script and
does fetch, so a pass means something.  Every request goes to a recording
proxy; the hosts Chromium contacts on an empty page (its own services) are set
aside.  Skipped when Chromium is absent
(Debian: ``apt-get install chromium``); CI installs it.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.report.test_class_report import PAYLOAD, build_class_batch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"),
]


class _Proxy(BaseHTTPRequestHandler):
    """Every request the browser makes through its proxy is recorded and refused."""

    seen: list[str] = []

    def _refuse(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_error(403)

    do_GET = do_POST = do_HEAD = do_CONNECT = _refuse  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxy() -> Iterator[list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Proxy.seen = []
    _Proxy.port = server.server_address[1]  # type: ignore[attr-defined]
    yield _Proxy.seen
    server.shutdown()


def _chromium(profile: Path, *args: str) -> str:
    """Run headless Chromium with every network request sent to the recording proxy; its stdout."""
    flags = [
        "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pings",
        "--disable-domain-reliability", "--hide-scrollbars", f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{_Proxy.port}", "--proxy-bypass-list=<-loopback>",  # type: ignore[attr-defined]
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium's own sandbox refuses to run as root
    done = subprocess.run([CHROMIUM or "chromium", *flags, *args], capture_output=True, text=True, timeout=60)
    return done.stdout


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.title = ""
        self._in_title = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title" and "svg" not in self.tags

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.title:
            self.title = data
        self.text.append(data)


def _dom(profile: Path, page: Path) -> _Dom:
    dom = _Dom()
    dom.feed(_chromium(profile, "--dump-dom", "--virtual-time-budget=3000", page.as_uri()))
    return dom


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_class_batch(tmp_path_factory.getbasetemp() / "class_batch")["html"]


def _hosts(requests: list[str]) -> set[str]:
    """The hosts of recorded requests (``GET http://host/...`` or ``CONNECT host:443``)."""
    hosts = set()
    for request in requests:
        target = request.split(" ", 1)[1]
        hosts.add(urlsplit(target).hostname or "" if "://" in target else target.rsplit(":", 1)[0])
    return hosts


@pytest.fixture(scope="module")
def browser_own_hosts(proxy: list[str], tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """What Chromium itself contacts on an empty page (its update and account services), to tell apart."""
    blank = tmp_path_factory.mktemp("blank") / "blank.html"
    blank.write_text("<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>")
    before = len(proxy)
    _dom(blank.parent / "profile", blank)
    return _hosts(proxy[before:])


def test_the_control_page_shows_the_harness_sees_scripts_and_fetches(
    tmp_path: Path, proxy: list[str], browser_own_hosts: set[str]
) -> None:
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><html><head><title>Class report</title></head><body>"
                       "<script>document.title = 'pwned'</script>"
                       '<img src="http://report-fetch-check.invalid/x.png"></body></html>')
    before = len(proxy)
    dom = _dom(tmp_path / "profile", control)
    assert dom.title == "pwned" and "script" in dom.tags
    assert _hosts(proxy[before:]) - browser_own_hosts == {"report-fetch-check.invalid"}


def test_the_report_runs_no_student_script_and_fetches_nothing(
    report_html: Path, tmp_path: Path, proxy: list[str], browser_own_hosts: set[str]
) -> None:
    before = len(proxy)
    dom = _dom(tmp_path / "profile", report_html)
    assert dom.title.startswith("Class report — MIT 6.036")
    assert "script" not in dom.tags and "iframe" not in dom.tags
    assert PAYLOAD in "".join(dom.text)  # shown as text
    assert dom.tags.count("svg") >= 20  # the class histogram and each part's charts
    assert _hosts(proxy[before:]) - browser_own_hosts == set()


def _png_facts(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values of the decoded (still filtered) pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return size[0], size[1], len(set(zlib.decompress(idat)))


def test_the_report_renders_a_non_blank_page(
    report_html: Path, tmp_path_factory: pytest.TempPathFactory, proxy: list[str]
) -> None:
    shot = tmp_path_factory.getbasetemp() / "artifacts" / "class_report.png"
    shot.parent.mkdir(exist_ok=True)
    blank = shot.with_name("blank.png")
    blank_page = shot.with_name("blank.html")
    blank_page.write_text("<!DOCTYPE html><html><body></body></html>")
    profile = tmp_path_factory.mktemp("profile")
    _chromium(profile, f"--screenshot={blank}", "--window-size=1280,1600", blank_page.as_uri())
    _chromium(profile, f"--screenshot={shot}", "--window-size=1280,1600", report_html.as_uri())
    print(f"\nscreenshot of the class report: {shot}")
    assert _png_facts(blank)[2] < 8  # the control: a blank page has (almost) one colour
    width, height, values = _png_facts(shot)
    assert (width, height) == (1280, 1600)
    assert values > 100
