"""Nothing a user typed runs: every XSS payload, through every input that reaches a page, a brief or a
report, comes back escaped (HTML), as plain text (PDF), inert (CSV, JSON), and nothing is fetched."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from xss_payloads import PAYLOADS, raw_markers

from tocsin.core.settings import Settings

TALLY: dict[str, list[int]] = {}  # input -> [tried, blocked], printed at the end of the module


def _check(where: str, html: str, payload: str) -> None:
    tried_blocked = TALLY.setdefault(where, [0, 0])
    tried_blocked[0] += 1
    leaks = [m for m in raw_markers(payload) if m in html]
    assert not leaks, f"{where}: {payload!r} came back unescaped ({leaks})"
    tried_blocked[1] += 1


def test_corpus_is_big_enough_and_every_payload_has_markup() -> None:
    assert len(PAYLOADS) >= 50 and len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(raw_markers(p) for p in PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reflected_xss_on_country_page_is_escaped(client: Any, payload: str) -> None:
    r = client.get("/country/" + quote(payload, safe=""))
    # An unknown country: the HTML page that names it (a payload with "/" matches no route at all: JSON 404).
    assert r.status_code == 404
    _check("country path", r.text, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reflected_xss_on_compare_page_is_escaped(client: Any, payload: str) -> None:
    r = client.get("/compare", params={"countries": f"SDN,{payload}"})
    assert r.status_code == 200
    _check("compare query", r.text, payload)


def test_every_page_carries_a_content_security_policy_without_inline_scripts(client: Any) -> None:
    for path in ("/", "/country/SDN", "/compare?countries=SDN,FRA", "/track-record", "/brief/SDN",
                 "/country/%3Cscript%3E", "/api/risk"):
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
        assert "default-src 'none'" in csp and r.headers.get("x-content-type-options") == "nosniff", path
        if "text/html" in r.headers.get("content-type", ""):
            # Every <script> either loads a file of this app or holds inert JSON data.
            for tag in re.findall(r"<script[^>]*>", r.text):
                assert 'src="/static/' in tag or 'type="application/json"' in tag, (path, tag)


def test_stored_xss_in_trigger_titles_notes_and_playbook_is_escaped_on_the_country_page(
    client: Any, stored_payloads: list[str]
) -> None:
    # A query of its own: the dashboard's response cache may hold an earlier anonymous /country/SDN.
    html = client.get("/country/SDN?stored=1").text
    assert "Tool " in html  # the stored rows were rendered
    for p in stored_payloads:
        _check("trigger title/note, playbook text (country page)", html, p)


def test_stored_xss_through_a_trigger_title_into_the_brief_is_escaped(
    web_home: Settings, stored_payloads: list[str]
) -> None:
    from tocsin.reports.brief import build_brief, render_html
    from tocsin.reports.dossier import DataContext

    html = render_html(build_brief(DataContext(web_home), "Sudan"))
    assert "Tool " in html
    for p in stored_payloads[:4]:  # the brief shows the top four options
        _check("trigger title (brief HTML)", html, p)


def test_stored_xss_in_the_brief_pdf_is_text_and_nothing_is_fetched(
    web_home: Settings, stored_payloads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    from tocsin.reports import brief, templating
    from tocsin.reports.dossier import DataContext

    refused: list[str] = []
    real = templating.write_pdf
    monkeypatch.setattr(brief, "write_pdf", lambda html: real(html, refused))
    b = brief.build_brief(DataContext(web_home), "Sudan")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(brief.render_pdf(b))).pages)
    squashed = re.sub(r"\s+", "", text)
    shown = [p for p in stored_payloads[:4] if re.sub(r"\s+", "", raw_markers(p)[0]) in squashed]
    TALLY.setdefault("trigger title (brief PDF)", [0, 0])
    TALLY["trigger title (brief PDF)"][0] += 4
    TALLY["trigger title (brief PDF)"][1] += len(shown)
    # The markup was printed as text (so it was not parsed as markup), and no URL was even asked for.
    assert len(shown) == 4, (shown, text[:500])
    assert not [u for u in refused if not u.startswith("data:")], refused


def test_pdf_fetcher_refuses_network_and_foreign_files(tmp_path: Path) -> None:
    import http.server
    import threading

    from tocsin.reports.templating import write_pdf

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    port = server.server_address[1]
    html = (f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css"><img src="http://127.0.0.1:{port}/i.png">'
            f'<img src="{secret.as_uri()}"><img src="file:///etc/passwd"><p>hello</p>')
    refused: list[str] = []
    try:
        pdf = write_pdf(html, refused)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF") and hits == []
    assert {f"http://127.0.0.1:{port}/x.css", secret.as_uri(), "file:///etc/passwd"} <= set(refused)


def test_forecast_report_template_escapes_its_sections(tmp_path: Path) -> None:
    from tocsin.reports.templating import report_environment

    env = report_environment()
    for name in env.list_templates():
        assert env.get_template(name).environment.autoescape is True
    out = env.from_string("{{ x }}").render(x=PAYLOADS[0])
    assert "<script" not in out and "&lt;script&gt;" in out


def test_user_names_and_incident_texts_stay_inert_in_api_answers_and_exports(
    client: Any, tokens: dict[str, str]
) -> None:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    for i, p in enumerate(PAYLOADS[:50]):
        r = client.post("/monitor/users", json={"username": f"u{i}{p}"[:80], "password": "correct horse battery",
                                                "role": "monitor", "full_name": p, "contact": p}, headers=admin)
        assert r.status_code == 201, r.text
        assert r.headers["content-type"].startswith("application/json")
        assert r.headers["x-content-type-options"] == "nosniff"
        r = client.post("/monitor/incidents", json={"country": "Sudan", "event_date": "2024-05-01",
                                                    "category": "other", "text": p, "actor": p, "admin1": p},
                        headers=admin)
        assert r.status_code == 201, r.text
        TALLY.setdefault("user names, incident text (JSON API)", [0, 0])
        TALLY["user names, incident text (JSON API)"][0] += 1
        TALLY["user names, incident text (JSON API)"][1] += 1
    export = client.get("/monitor/export", headers=analyst)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    for row in csv.DictReader(io.StringIO(export.text)):
        for v in row.values():
            assert not v.startswith(("=", "+", "-", "@", "\t", "\r")), v


def test_imported_csv_fields_are_stored_as_text_and_exported_inert(tmp_path: Path) -> None:
    from tocsin.monitor import auth, db, importers, incidents

    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    db.upgrade(engine)
    factory = db.session_factory(engine)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["country", "event_date", "category", "admin1", "actor", "target_group", "text"])
    for p in PAYLOADS:
        w.writerow(["Sudan", "2024-05-01", "other", p[:200], p, p, p])
    with db.transaction(factory) as s:
        ana = auth.create_user(s, None, "ana", "correct horse battery", "analyst")
        rep = importers.import_bytes(s, ana, "csv", out.getvalue().encode(), "xss.csv")
        assert rep.imported == len(PAYLOADS), rep.errors
    with db.transaction(factory) as s:
        body = incidents.export(s, auth.get_user(s, "ana"), "csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == len(PAYLOADS)
    for r, p in zip(rows, PAYLOADS, strict=True):
        assert r["text"] in (p, "'" + p)  # stored verbatim, neutralised only when it starts a formula
        assert not r["text"].startswith(("=", "+", "-", "@"))
    TALLY["imported CSV fields (export)"] = [len(PAYLOADS), len(PAYLOADS)]


def test_zz_print_tally() -> None:
    """Prints payloads tried / blocked per input (run with -s to see it)."""
    for where, (tried, blocked) in sorted(TALLY.items()):
        print(f"XSS {where}: {tried} tried, {blocked} blocked")
    assert all(t == b for t, b in TALLY.values())
