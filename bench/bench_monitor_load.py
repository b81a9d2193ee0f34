"""Load and faults against `tocsin monitor serve`: concurrent reporters, SIGKILLs mid-load, then an audit.

For each database (SQLite, and PostgreSQL when a URL is given) and each client count (default 50 then 200):
start `tocsin monitor serve` as a subprocess, let N clients submit incidents for DURATION seconds (each with
an Idempotency-Key, retried with the same key after a 503, a timeout or a refused connection, as a phone app
would), SIGKILL the server KILLS times at even intervals and restart it, then stop it with SIGTERM and time
the drain. Finally read the database directly and check that every acknowledged (201) incident is stored
exactly once, with its audit row, and that its receipt points at it.

Prints, per run: requests, acknowledged, lost, duplicated, 5xx (503 busy and other 5xx separately),
connection errors while the server was down, p95 latency of the 201s, acknowledged per second, SIGTERM
drain time.

    nice -n 10 .venv/bin/python bench/bench_monitor_load.py                      # SQLite, 50 and 200 clients
    eval "$(bash .ci/postgres.sh)"; nice -n 10 .venv/bin/python bench/bench_monitor_load.py --postgres-url \
        "$TOCSIN_TEST_POSTGRES_URL"                                              # and PostgreSQL
    .venv/bin/python bench/bench_monitor_load.py --clients 20 --duration 10 --kills 1   # a quick check

The PostgreSQL database is emptied (schema public dropped) before each run: give it a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parents[1]
TOCSIN = Path(sys.executable).with_name("tocsin")
PASSWORD = "bench-password-123"
N_REPORTERS = 20


@dataclass
class Stats:
    requests: int = 0
    acked: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # key -> (id, receipt, text)
    status: dict[int, int] = field(default_factory=dict)
    conn_errors: int = 0
    timeouts: int = 0
    latencies: list[float] = field(default_factory=list)
    gave_up: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str, home: Path) -> list[str]:
    """Fresh schema, N_REPORTERS monitors, one token each (made directly: this is the operator's setup)."""
    sys.path.insert(0, str(ROOT / "src"))
    from tocsin.monitor import auth, db

    engine = db.make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.upgrade(engine)
    tokens = []
    with db.transaction(db.session_factory(engine)) as s:
        for i in range(N_REPORTERS):
            user = auth.create_user(s, None, f"reporter{i}", PASSWORD, "monitor")
            tokens.append(auth.create_token(s, user, "bench"))
    engine.dispose()
    return tokens


class Server:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.up = False

    def start(self) -> float:
        t0 = time.monotonic()
        with self.log.open("ab") as fh:
            self.proc = subprocess.Popen(
                [str(TOCSIN), "monitor", "serve", "--port", str(self.port)], env=self.env, stdout=fh, stderr=fh
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/openapi.json", timeout=1).status_code == 200:
                    self.up = True
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log}")
            time.sleep(0.1)
        raise RuntimeError(f"server did not start in 60 s; see {self.log}")

    def kill(self) -> None:
        assert self.proc is not None
        self.up = False
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self) -> float:
        """SIGTERM and the seconds until the process is gone."""
        assert self.proc is not None
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return float("inf")
        return time.monotonic() - t0


def incident(text_: str) -> dict[str, Any]:
    return {"country": "Myanmar", "event_date": "2024-03-04", "category": "hate_speech", "text": text_,
            "language": "en", "confidence": 0.6}


async def client(i: int, base: str, token: str, stop_at: float, stats: Stats, run: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    seq = 0
    async with httpx.AsyncClient(base_url=base, timeout=15.0) as http:
        while time.monotonic() < stop_at:
            seq += 1
            key = f"{run}-{i}-{seq}-{uuid.uuid4().hex[:8]}"
            body = incident(f"bench {key}")
            # Retry one submission until it is acknowledged; past the end, give it 30 s more (then give up).
            while True:
                if time.monotonic() > stop_at + 30:
                    stats.gave_up += 1
                    return
                stats.requests += 1
                t0 = time.monotonic()
                try:
                    r = await http.post("/monitor/incidents", json=body, headers=headers | {"Idempotency-Key": key})
                except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                    stats.conn_errors += 1
                    await asyncio.sleep(0.2)
                    continue
                except httpx.TimeoutException:
                    stats.timeouts += 1
                    continue
                stats.status[r.status_code] = stats.status.get(r.status_code, 0) + 1
                if r.status_code == 201:
                    stats.latencies.append(time.monotonic() - t0)
                    data = r.json()
                    stats.acked[key] = (data["id"], data["receipt"], body["text"])
                    break
                if r.status_code in (503, 429):
                    await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
                    continue
                raise RuntimeError(f"unexpected {r.status_code}: {r.text[:200]}")


async def load(base: str, tokens: list[str], n: int, duration: float, kills: int, server: Server,
               stats: Stats, run: str) -> list[float]:
    stop_at = time.monotonic() + duration
    tasks = [asyncio.create_task(client(i, base, tokens[i % len(tokens)], stop_at, stats, run)) for i in range(n)]
    restarts = []
    for k in range(kills):
        await asyncio.sleep(duration / (kills + 1))
        server.kill()
        await asyncio.sleep(0.3)
        restarts.append(await asyncio.to_thread(server.start))
        print(f"    kill {k + 1}: restarted in {restarts[-1]:.1f} s", flush=True)
    await asyncio.gather(*tasks)
    return restarts


def verify(url: str, stats: Stats) -> dict[str, int]:
    from tocsin.monitor import db
    from tocsin.monitor.models import AuditEntry, Incident

    engine = db.make_engine(url)
    out = {"lost": 0, "duplicated": 0, "no_audit": 0, "wrong_receipt": 0}
    with db.session_factory(engine)() as s:
        rows: dict[str, list[Incident]] = {}
        for inc in s.scalars(select(Incident).where(Incident.text.like("bench %"))):
            rows.setdefault(inc.text or "", []).append(inc)
        audited = {e for (e,) in s.execute(select(AuditEntry.object_id).where(AuditEntry.action == "incident.create"))}
        for key, (iid, receipt, text_) in stats.acked.items():
            found = rows.get(text_, [])
            if not found:
                out["lost"] += 1
                continue
            if len(found) > 1:
                out["duplicated"] += 1
            if found[0].id != iid or found[0].receipt != receipt or found[0].idempotency_key != key:
                out["wrong_receipt"] += 1
            if str(iid) not in audited:
                out["no_audit"] += 1
        out["stored_total"] = int(s.scalar(select(func.count(Incident.id))) or 0)
        out["duplicated_any"] = sum(1 for v in rows.values() if len(v) > 1)
    engine.dispose()
    return out


def p95(xs: list[float]) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(0.95 * len(xs)))]


def run_one(db_name: str, url: str | None, n: int, duration: float, kills: int, keep: bool) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"tocsin_bench_{db_name}_"))
    url = url or f"sqlite:///{home / 'monitor.sqlite'}"
    tokens = prepare(url, home)
    env = os.environ | {"TOCSIN_HOME": str(home), "TOCSIN_MONITOR_DB_URL": url, "TOCSIN_N_JOBS": "1"}
    port = free_port()
    server = Server(env, port, home / "server.log")
    server.start()
    stats = Stats()
    run = uuid.uuid4().hex[:6]
    t0 = time.monotonic()
    restarts = asyncio.run(load(f"http://127.0.0.1:{port}", tokens, n, duration, kills, server, stats, run))
    elapsed = time.monotonic() - t0
    drain = server.terminate()
    check = verify(url, stats)
    fivexx = sum(v for k, v in stats.status.items() if k >= 500)
    result = {
        "db": db_name, "clients": n, "duration_s": duration, "kills": kills, "requests": stats.requests,
        "acknowledged": len(stats.acked), "lost": check["lost"], "duplicated": check["duplicated_any"],
        "no_audit_row": check["no_audit"], "wrong_receipt": check["wrong_receipt"], "5xx": fivexx,
        "503_busy": stats.status.get(503, 0), "other_5xx": fivexx - stats.status.get(503, 0),
        "429": stats.status.get(429, 0), "conn_errors_while_down": stats.conn_errors, "timeouts": stats.timeouts,
        "gave_up": stats.gave_up, "p95_ms": round(1000 * p95(stats.latencies), 1),
        "ack_per_s": round(len(stats.acked) / elapsed, 1), "restart_s": [round(r, 1) for r in restarts],
        "sigterm_drain_s": round(drain, 2), "stored_total": check["stored_total"],
    }
    if not keep:
        shutil.rmtree(home, ignore_errors=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", default="50,200", help="Comma-separated client counts (default 50,200).")
    ap.add_argument("--duration", type=float, default=60.0, help="Seconds of load per run (default 60).")
    ap.add_argument("--kills", type=int, default=3, help="SIGKILLs per run (default 3).")
    ap.add_argument("--postgres-url", default=os.environ.get("TOCSIN_BENCH_POSTGRES_URL"),
                    help="Also run on this PostgreSQL (its schema public is dropped first).")
    ap.add_argument("--no-sqlite", action="store_true", help="Skip the SQLite runs.")
    ap.add_argument("--keep", action="store_true", help="Keep each run's home folder (server log, database).")
    args = ap.parse_args()
    dbs: list[tuple[str, str | None]] = [] if args.no_sqlite else [("sqlite", None)]
    if args.postgres_url:
        dbs.append(("postgresql", args.postgres_url))
    rows = []
    for name, url in dbs:
        for n in (int(x) for x in args.clients.split(",")):
            print(f"{name}, {n} clients, {args.duration:.0f} s, {args.kills} SIGKILLs ...", flush=True)
            r = run_one(name, url, n, args.duration, args.kills, args.keep)
            rows.append(r)
            print("  " + ", ".join(f"{k}={v}" for k, v in r.items()), flush=True)
    cols = ["db", "clients", "requests", "acknowledged", "lost", "duplicated", "no_audit_row", "wrong_receipt",
            "5xx", "503_busy", "other_5xx", "conn_errors_while_down", "p95_ms", "ack_per_s", "sigterm_drain_s"]
    print("\n" + " | ".join(cols))
    for r in rows:
        print(" | ".join(str(r[c]) for c in cols))
    bad = [r for r in rows if r["lost"] or r["duplicated"] or r["no_audit_row"] or r["wrong_receipt"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
