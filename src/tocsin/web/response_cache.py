"""A response cache for the public dashboard: a run never changes, so neither does what a page shows of it.

Anonymous GET answers (200, no Authorization or Cookie header, not under /monitor) are kept in memory, keyed
by the run they show (the latest run's id, re-read from its pointer file on every request, or `?run=`), the
path and the query. A new run changes the key, so nothing stale is served from an old run. What pages read
live besides the run (the trigger calendar in prevention options) is at most `ttl_s` seconds old.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE_HEADERS = (b"authorization", b"cookie")


class ResponseCache:
    def __init__(self, app: ASGIApp, runs_root: Path, ttl_s: float = 30.0, max_entries: int = 4096,
                 max_body: int = 4 * 1024 * 1024, private_prefixes: tuple[str, ...] = ("/monitor",)) -> None:
        self.app = app
        # A new forecast or watch run is shown at once: both pointers are part of the key.
        self.pointers = (runs_root / "latest-forecast", runs_root / "latest-watch")
        self.ttl_s, self.max_entries, self.max_body = ttl_s, max_entries, max_body
        self.private_prefixes = private_prefixes
        self._entries: OrderedDict[tuple[str, str, bytes], tuple[float, list[tuple[bytes, bytes]], bytes]] = (
            OrderedDict())
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _latest(self) -> str:
        out = []
        for pointer in self.pointers:
            try:
                out.append(pointer.read_text().strip())
            except OSError:
                out.append("")
        return "/".join(out)

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        if scope["path"].startswith(self.private_prefixes):
            return False
        return not any(name in PRIVATE_HEADERS for name, _ in scope.get("headers", []))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = (self._latest(), scope["path"], scope.get("query_string", b""))
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self.ttl_s:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                hit = None
        if hit is not None:
            await send({"type": "http.response.start", "status": 200, "headers": hit[1]})
            await send({"type": "http.response.body", "body": hit[2]})
            return
        self.misses += 1
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > self.max_body:
                    keep = False
                else:
                    chunks.append(body)
            await send(message)

        await self.app(scope, receive, capture)
        if keep and start is not None:
            with self._lock:
                self._entries[key] = (now, list(start.get("headers", [])), b"".join(chunks))
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
