"""Headless Chromium for tests: serve a folder on 127.0.0.1, open pages, screenshot, inspect.

Standard library only. Chromium is driven through the DevTools protocol over
``--remote-debugging-pipe`` (JSON messages separated by NUL bytes on file
descriptors 3 and 4), so no websocket package and no Playwright are needed.
Every request to a host other than 127.0.0.1/localhost is made to fail by the
resolver rules and recorded, so a test can assert that nothing left the machine.

Usage::

    from tests.browser import Browser, serve_dir

    with serve_dir(site_dir) as base, Browser(360, 740) as b:
        b.open(base + "stations/yuyang/")
        assert "志愿服务电话" in b.text()
        b.screenshot(tmp_path / "station.png")
        assert not b.external_requests()

``dump_dom(url)`` and ``screenshot_cli(url, path)`` use the plain command-line
flags (``--dump-dom``, ``--screenshot``) for simple cases.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
BASE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--mute-audio", "--hide-scrollbars", "--no-default-browser-check", "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def available() -> bool:
    return CHROMIUM is not None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_dir(directory: str | Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (an ephemeral port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "devtools", "chrome-extension"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one tab, driven over the DevTools pipe."""

    def __init__(self, width: int = 360, height: int = 740, *, mobile: bool | None = None,
                 scale: float = 1.0, timeout: float = 30.0, extra_flags: list[str] | None = None):
        if CHROMIUM is None:
            raise BrowserError("chromium not found")
        self.width, self.height = width, height
        self.mobile = width < 600 if mobile is None else mobile
        self.scale = scale
        self.timeout = timeout
        self.requests: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self.console: list[str] = []
        #: Console errors, uncaught exceptions and browser log errors (Content-Security-Policy
        #: violations among them), as "kind: text (url)".
        self.errors: list[str] = []
        self._events: list[dict] = []
        self._buf = b""
        self._next_id = 0
        self._profile = tempfile.mkdtemp(prefix="wenming-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def _fds() -> None:  # runs in the child before exec: put the pipe ends on fds 3 and 4
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 20)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 20)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [CHROMIUM, *BASE_FLAGS, f"--user-data-dir={self._profile}", "--remote-debugging-pipe",
                f"--window-size={width},{height}", *(extra_flags or []), "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=_fds, pass_fds=(3, 4))  # noqa: PLW1509 - only dup2 before exec
        os.close(to_child_r)
        os.close(from_child_w)
        try:
            target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Network", "Runtime", "Log"):
                self.send(f"{domain}.enable", session=True)
            self.set_viewport(width, height)
        except Exception:
            self.close()
            raise

    # ---------------------------------------------------------------- protocol

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the DevTools pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        msg = json.loads(raw)
        if "method" in msg:
            self._on_event(msg)
        return msg

    def _on_event(self, msg: dict) -> None:
        method, params = msg["method"], msg.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            self.failed.append((params.get("requestId", ""), params.get("errorText", "")))
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append(text)
            if params.get("type") in ("error", "assert"):
                self.errors.append(f"console.{params.get('type')}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exc = details.get("exception", {}).get("description") or details.get("text", "")
            self.errors.append(f"exception: {exc} ({details.get('url', '')}:{details.get('lineNumber', '')})")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                self.errors.append(f"{entry.get('source', 'log')}: {entry.get('text', '')} ({entry.get('url', '')})")
        self._events.append(msg)

    def send(self, method: str, params: dict | None = None, *, session: bool = False,
             timeout: float | None = None) -> dict:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        for i, ev in enumerate(self._events):
            if ev["method"] == method:
                return self._events.pop(i)
        while True:
            msg = self._read(deadline)
            if msg.get("method") == method:
                self._events.remove(msg)
                return msg

    # ---------------------------------------------------------------- actions

    def set_viewport(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": self.scale,
                   "mobile": self.mobile}, session=True)

    def open(self, url: str, *, settle: float = 0.3) -> None:
        """Navigate and wait for the load event (plus ``settle`` seconds for scripts)."""
        self._events = [e for e in self._events if e["method"] != "Page.loadEventFired"]
        result = self.send("Page.navigate", {"url": url}, session=True)
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired")
        if settle:
            self.pump(settle)

    def pump(self, seconds: float) -> None:
        """Process events for ``seconds`` (lets scripts and requests finish)."""
        deadline = time.monotonic() + seconds
        with contextlib.suppress(BrowserError):
            while time.monotonic() < deadline:
                self._read(deadline)

    def eval(self, expression: str, *, await_promise: bool = False) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise}, session=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails'].get('text')}: {expression[:80]}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Poll a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for: {expression[:120]}")
            self.pump(0.1)

    def text(self) -> str:
        return self.eval("document.body ? document.body.innerText : ''") or ""

    def html(self) -> str:
        return self.eval("document.documentElement.outerHTML") or ""

    def type(self, selector: str, text: str) -> None:
        """Focus an input and type ``text`` (fires input events like a user would)."""
        self.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.focus(); e.value=''; }})()")
        self.send("Input.insertText", {"text": text}, session=True)

    def set_geolocation(self, lat: float, lng: float, accuracy: float = 10.0, *, origin: str | None = None) -> None:
        """Allow geolocation (for ``origin``, else every origin) and report this WGS-84 position."""
        params: dict[str, Any] = {"permissions": ["geolocation"]}
        if origin:
            params["origin"] = origin
        self.send("Browser.grantPermissions", params)
        self.send("Emulation.setGeolocationOverride",
                  {"latitude": lat, "longitude": lng, "accuracy": accuracy}, session=True)

    def deny_geolocation(self, origin: str | None = None) -> None:
        """The reader refuses the position: the permission is set to denied."""
        params: dict[str, Any] = {"permission": {"name": "geolocation"}, "setting": "denied"}
        if origin:
            params["origin"] = origin
        self.send("Browser.setPermission", params)

    def screenshot(self, path: str | Path, *, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            height = int(self.eval("Math.ceil(document.documentElement.scrollHeight)") or self.height)
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": min(height, 16000), "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, session=True)["data"]
        out = Path(path)
        out.write_bytes(base64.b64decode(data))
        return out

    def csp_violations(self) -> list[str]:
        """Errors that are Content-Security-Policy violations (a subset of :attr:`errors`)."""
        return [e for e in self.errors if "Content Security Policy" in e or "Content-Security-Policy" in e]

    def external_requests(self) -> list[str]:
        """Every URL requested from a host other than localhost, since the browser started."""
        return [u for u in self.requests if not is_local(u)]

    # ---------------------------------------------------------------- lifecycle

    def close(self) -> None:
        with contextlib.suppress(Exception):
            os.write(self._to_child, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cli(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        raise BrowserError("chromium not found")
    with tempfile.TemporaryDirectory(prefix="wenming-chromium-") as profile:
        return subprocess.run([CHROMIUM, *BASE_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, timeout=timeout, check=False)


def dump_dom(url: str, width: int = 360, height: int = 740, budget_ms: int = 3000) -> str:
    """The DOM after scripts ran (``--dump-dom`` with a virtual time budget)."""
    proc = _cli([f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}", "--dump-dom", url])
    return proc.stdout.decode("utf-8", "replace")


def screenshot_cli(url: str, path: str | Path, width: int = 360, height: int = 740,
                   budget_ms: int = 2000) -> Path:
    """A screenshot through the command-line flags only (no DevTools)."""
    out = Path(path).resolve()
    _cli([f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}",
          f"--screenshot={out}", url])
    if not out.exists():
        raise BrowserError(f"Chromium wrote no screenshot for {url}")
    return out
