"""/static/ serves only the files in web/static: `..` in any spelling reaches the server and gets a 404.

HTTP clients (httpx, hence TestClient) normalise `/static/../deps.py` to `/deps.py` before sending, so a test
through them never sends `..` at all. These requests go over a raw socket to the app under uvicorn, exactly
as an attacker's would.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import tocsin.web.deps

SECRET = Path(tocsin.web.deps.__file__).read_text().splitlines()[0]  # deps.py sits beside static/
ATTACKS = [
    "/static/../deps.py",
    "/static/%2e%2e/deps.py",
    "/static/%2E%2E/deps.py",
    "/static/..%2fdeps.py",
    "/static/%2e%2e%2fdeps.py",
    "/static/..%5cdeps.py",
    "/static/....//deps.py",
    "/static/%2e%2e%2f%2e%2e%2froutes%2fpages.py",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/../templates/country.html.j2",
]


def _raw_get(base: str, target: str) -> tuple[int, bytes]:
    """GET with the request target sent byte for byte as given (http.client does not normalise it)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", target)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_a_real_asset_is_served_over_the_same_raw_connection(live_server: str) -> None:
    status, body = _raw_get(live_server, "/static/app.css")
    assert status == 200 and len(body) > 100


@pytest.mark.parametrize("target", ATTACKS)
def test_dot_dot_paths_never_serve_a_file_outside_static(live_server: str, target: str) -> None:
    status, body = _raw_get(live_server, target)
    assert status == 404, (status, body[:200])
    assert SECRET.encode() not in body and b"root:" not in body and b"{%" not in body


@pytest.mark.parametrize("target", ["/static/..", "/static/%2e%2e", "/static/%2E."])
def test_the_server_really_receives_the_dot_dot(live_server: str, target: str) -> None:
    # The asset handler's own 404 names what it was asked for: proof that `..` was not normalised away.
    status, body = _raw_get(live_server, target)
    assert status == 404 and json.loads(body) == {"detail": "no asset .."}
