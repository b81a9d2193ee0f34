"""API latency at 50 concurrent clients: a mix of pages and API calls, then country and ranking endpoints,
p50/p95/p99 and requests/s, against the latest run.

Starts `tocsin serve --workers N` on a free 127.0.0.1 port in a subprocess with the current TOCSIN_HOME, warms
it up, then sends a bounded number of requests (and stops after a time limit) from 50 concurrent httpx
clients per endpoint group. Needs `tocsin data pull` and `tocsin forecast` to have run. Prints figures only.

    python bench/bench_api_latency.py [--requests 1000] [--concurrency 50] [--seconds 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_group(base: str, urls: list[str], n: int, concurrency: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(urls[i % len(urls)])
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                try:
                    url = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    r = await client.get(url)
                    errors += r.status_code >= 500 or r.status_code == 429
                except httpx.HTTPError:  # a dropped connection counts as an error, not a crash
                    errors += 1
                latencies.append(time.perf_counter() - t0)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("wrk: %d requests, %d non-2xx/3xx, %d timeouts, p50 %.1f ms, p95 %.1f ms, "
    .. "p99 %.1f ms, %.0f requests/s\\n", summary.requests, summary.errors.status, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
"""


def run_wrk(base: str, urls: list[str], concurrency: int, seconds: int) -> None:
    """The mix, round-robin, from wrk's closed-loop connections; each URL warmed in every worker first."""
    import json
    import shutil
    import tempfile

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk not found (apt-get install wrk)")
    for _ in range(4):  # connections land on either worker: warm both
        for u in urls:
            httpx.get(base + u, timeout=120)
    lua = ("paths = " + json.dumps(urls).replace("[", "{").replace("]", "}") + "\ncounter = 0\n"
           "request = function()\n  counter = counter + 1\n"
           "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n" + WRK_DONE)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    print(f"{concurrency} connections, {seconds} s, a mix of {len(urls)} page and API URLs (wrk)")
    out = subprocess.run([wrk, "-t2", f"-c{concurrency}", f"-d{seconds}s", "-s", fh.name, base],
                         capture_output=True, text=True, check=True).stdout
    print(out.strip().splitlines()[-1])


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000, help="Requests per endpoint group.")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0, help="Stop each group after this long.")
    ap.add_argument("--workers", type=int, default=2, help="`tocsin serve --workers`.")
    ap.add_argument("--wrk", action="store_true",
                    help="Load the mix with wrk (Debian package) instead of Python clients, which are slower than "
                         "the server on a 2-core machine and would measure themselves.")
    args = ap.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "tocsin.cli.main", "serve", "--port", str(port),
                             "--workers", str(args.workers)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/api/risk/years", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("server did not start (run `tocsin data pull` and `tocsin forecast` first)")
        countries = [r["iso3"] or str(r["ccode"]) for r in
                     httpx.get(base + "/api/risk?limit=1000", timeout=60).json()["items"]]
        if not countries:
            sys.exit("no saved forecast: run `tocsin forecast` first")
        rng = random.Random(0)
        sample = rng.sample(countries, min(40, len(countries)))
        years = httpx.get(base + "/api/risk/years").json()["years"]
        mix = []
        for c in sample:
            mix += [f"/country/{c}", f"/api/countries/{c}", f"/api/countries/{c}/drivers",
                    f"/api/countries/{c}/prevention", f"/api/countries/{c}/hotspots"]
        mix += ["/", "/track-record", "/api/risk?limit=50", "/compare?countries=" + ",".join(sample[:4])]
        groups = {
            "mix: pages + API (country, drivers, prevention, ...)": mix,
            "country summary  /api/countries/{c}": [f"/api/countries/{c}" for c in sample],
            "country history  /api/countries/{c}/history": [f"/api/countries/{c}/history" for c in sample],
            "ranking (latest) /api/risk?limit=50": ["/api/risk?limit=50"],
            "ranking (by year, region) /api/risk?year&region": [
                f"/api/risk?year={y}&region=Europe&limit=50" for y in years[-10:]],
        }
        for urls in groups.values():  # warm caches: results are read once per file change
            for u in urls:
                httpx.get(base + u, timeout=60)
        if args.wrk:
            run_wrk(base, mix, args.concurrency, int(args.seconds))
            return
        print(f"{args.concurrency} concurrent clients, up to {args.requests} requests per group, "
              f"`tocsin serve --workers {args.workers}` on 127.0.0.1; {len(countries)} countries")
        print(f"{'endpoint':52s} {'n':>6s} {'err':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'req/s':>7s}")
        for name, urls in groups.items():
            t0 = time.perf_counter()
            lat, err = asyncio.run(run_group(base, urls, args.requests, args.concurrency, args.seconds))
            wall = time.perf_counter() - t0
            print(f"{name:52s} {len(lat):6d} {err:4d} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f} "
                  f"{pct(lat, 99):8.1f} {len(lat) / wall:7.1f}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
