"""One Jinja environment factory for every page, report and brief, and one PDF writer that fetches nothing.

Every template Tocsin renders goes through `environment()`, which escapes every value (whatever the template's
file name: ours end in `.j2`, which `select_autoescape()` would have left unescaped). JSON meant for a
`<script type="application/json">` block goes through the `script_json` filter, which makes `</script>` and
`<!--` inert. PDFs go through `write_pdf()`, whose URL fetcher serves only the package's own files: a URL
someone typed (an `<img src=http://...>` in a trigger title, say) is refused, never fetched.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import BaseLoader, Environment, FileSystemLoader, PackageLoader
from markupsafe import Markup

# Folders WeasyPrint may read from (file: URLs only): the templates and static assets shipped with Tocsin.
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
ASSET_DIRS: tuple[Path, ...] = (_PACKAGE_ROOT / "reports" / "templates", _PACKAGE_ROOT / "web" / "static")


class FetchRefused(ValueError):
    """A PDF asked for a resource outside the package's own assets."""


def pct(v: Any, digits: int = 1) -> str:
    return "–" if v is None or _nan(v) else f"{100 * float(v):.{digits}f}%"


def num(v: Any, digits: int = 0) -> str:
    return "–" if v is None or _nan(v) else f"{float(v):.{digits}f}"


def _nan(v: Any) -> bool:
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def script_json(value: Any) -> Markup:
    """JSON (a string already dumped, or any value) safe inside <script type="application/json">.

    `<`, `>`, `&` and the JS line separators become \\u escapes: still the same JSON for JSON.parse, but no
    `</script>` or `<!--` can end or change the block.
    """
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)


def environment(loader: BaseLoader, filters: Mapping[str, Callable[..., Any]] | None = None,
                trim: bool = True) -> Environment:
    """An environment that escapes every value, whatever the template is called."""
    env = Environment(loader=loader, autoescape=True, trim_blocks=trim, lstrip_blocks=trim)
    env.filters["pct"] = pct
    env.filters["num"] = num
    env.filters["script_json"] = script_json
    env.filters.update(filters or {})
    return env


def report_environment(filters: Mapping[str, Callable[..., Any]] | None = None, trim: bool = True) -> Environment:
    """The environment of tocsin.reports' own templates (forecast report, brief)."""
    return environment(PackageLoader("tocsin.reports", "templates"), filters, trim)


def folder_environment(folder: Path, filters: Mapping[str, Callable[..., Any]] | None = None) -> Environment:
    """The environment of a template folder (the web pages)."""
    return environment(FileSystemLoader(folder), filters)


def _allowed_file(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise FetchRefused(f"refused to fetch {url[:80]!r}: a PDF may only use Tocsin's own assets")
    path = Path(unquote(parsed.path)).resolve()
    if not any(path.is_relative_to(d.resolve()) for d in ASSET_DIRS) or not path.is_file():
        raise FetchRefused(f"refused to fetch {url[:80]!r}: not one of Tocsin's own assets")
    return path


def safe_url_fetcher(refused: list[str] | None = None) -> Any:
    """A WeasyPrint URL fetcher for data: URLs (charts we drew) and the package's own files; nothing else.

    Refused URLs are appended to `refused` when given (tests read it); WeasyPrint logs and skips them.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                path = _allowed_file(url)
            except Exception:
                if refused is not None:
                    refused.append(url)
                raise
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return SafeURLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def write_pdf(html: str, refused: list[str] | None = None) -> bytes:
    """The PDF of `html`; every resource it names goes through `safe_url_fetcher`."""
    from weasyprint import HTML

    fetcher = safe_url_fetcher(refused)
    return HTML(string=html, base_url=ASSET_DIRS[0].as_uri() + "/", url_fetcher=fetcher).write_pdf()
