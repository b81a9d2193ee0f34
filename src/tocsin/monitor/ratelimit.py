"""Sliding-window rate limits for token issuing and failed authentication, per user and per client.

Kept in memory, per server process, on purpose: the client key (an address) is never written anywhere, not to
the database and not to a log. A restart forgets the counts; an attacker gains one window per restart.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    limit: int
    window_s: float


@dataclass(frozen=True)
class Limits:
    """How many events each key may have in its window before the next is refused (HTTP 429)."""

    token_per_user: Rule = Rule(10, 3600)  # tokens issued to one user per hour
    token_per_client: Rule = Rule(30, 3600)  # tokens issued to one client per hour
    failed_per_user: Rule = Rule(5, 900)  # wrong passwords for one username per 15 minutes
    failed_per_client: Rule = Rule(20, 900)  # wrong passwords or bad tokens from one client per 15 minutes


class TooMany(Exception):
    """A limit was hit; `retry_after` is the seconds until the oldest counted event leaves the window."""

    def __init__(self, what: str, retry_after: float) -> None:
        super().__init__(f"too many {what}; try again in {int(retry_after) + 1} s")
        self.retry_after = int(retry_after) + 1


@dataclass
class Limiter:
    limits: Limits = field(default_factory=Limits)
    clock: object = time.monotonic  # replaced in tests
    _events: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def key(value: str) -> str:
        """Keys are hashed, so even a memory dump lists no usernames or addresses."""
        return hashlib.sha256(value.encode()).hexdigest()[:32]

    def _window(self, kind: str, key: str, rule: Rule, now: float) -> deque[float]:
        q = self._events.setdefault((kind, self.key(key)), deque())
        while q and q[0] <= now - rule.window_s:
            q.popleft()
        return q

    def check(self, kind: str, key: str, rule: Rule, what: str) -> None:
        """Raise TooMany when `key` already has `rule.limit` events of `kind` in the window."""
        now = self.clock()  # type: ignore[operator]
        with self._lock:
            q = self._window(kind, key, rule, now)
            if len(q) >= rule.limit:
                raise TooMany(what, q[0] + rule.window_s - now)

    def hit(self, kind: str, key: str, rule: Rule) -> None:
        now = self.clock()  # type: ignore[operator]
        with self._lock:
            self._window(kind, key, rule, now).append(now)
            if len(self._events) > 100_000:  # bounded memory under a flood of distinct keys
                self._events = {k: v for k, v in self._events.items() if v}

    # What the API calls -------------------------------------------------------------------------------------
    def before_login(self, username: str, client: str) -> None:
        lim = self.limits
        self.check("fail-user", username, lim.failed_per_user, "failed logins for this user")
        self.check("fail-client", client, lim.failed_per_client, "failed logins from this client")
        self.check("token-user", username, lim.token_per_user, "tokens issued to this user")
        self.check("token-client", client, lim.token_per_client, "tokens issued to this client")

    def login_failed(self, username: str, client: str) -> None:
        self.hit("fail-user", username, self.limits.failed_per_user)
        self.hit("fail-client", client, self.limits.failed_per_client)

    def token_issued(self, username: str, client: str) -> None:
        self.hit("token-user", username, self.limits.token_per_user)
        self.hit("token-client", client, self.limits.token_per_client)

    def before_bearer(self, client: str) -> None:
        self.check("fail-client", client, self.limits.failed_per_client, "failed authentications from this client")

    def bearer_failed(self, client: str) -> None:
        self.hit("fail-client", client, self.limits.failed_per_client)
