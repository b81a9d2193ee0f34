"""The one way Tocsin fetches a public file: the mirror when TOCSIN_DATA_MIRROR is set, else the network."""

from __future__ import annotations

import hashlib
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tocsin.core.errors import ChecksumError, DownloadError


@dataclass(frozen=True)
class Fetched:
    """A fetched file's bytes and where they came from."""

    url: str
    content: bytes
    sha256: str
    origin: str  # "mirror:<path>" or "network"

    @property
    def name(self) -> str:
        return Path(unquote(urlsplit(self.url).path)).name

    @property
    def size(self) -> int:
        return len(self.content)


def mirror_path(url: str, mirror: Path) -> Path:
    """`https://HOST/PATH` -> `mirror/HOST/PATH` (PATH percent-decoded, as the mirror is laid out)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DownloadError(url, "not an http(s) address")
    rel = unquote(parts.path).lstrip("/")
    path = (mirror / parts.netloc / rel).resolve()
    # A crafted address must not escape the mirror.
    if not path.is_relative_to(mirror.resolve()):
        raise DownloadError(url, "address escapes the mirror folder")
    return path


def fetch(url: str, *, mirror: Path | None, sha256: str | None = None, timeout: float = 120.0) -> Fetched:
    """Fetch `url`; verify `sha256` when pinned. With a mirror, never touches the network."""
    if mirror is not None:
        path = mirror_path(url, mirror)
        if not path.is_file():
            raise DownloadError(str(path), f"not in the data mirror (for {url})")
        content = path.read_bytes()
        origin = f"mirror:{path}"
    else:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                content = resp.read()
        except OSError as exc:
            raise DownloadError(url, f"download failed: {exc}") from exc
        origin = "network"
    digest = hashlib.sha256(content).hexdigest()
    if sha256 is not None and digest != sha256.lower():
        # Say which address, and that it no longer holds the pinned file: with a branch address (EWP's
        # `main`) this is how a silent upstream change shows up.
        raise ChecksumError(Path(unquote(urlsplit(url).path)).name,
                            f"sha256 mismatch: expected {sha256[:12]}…, got {digest[:12]}… ({origin}); the file at "
                            f"{url} is not the one Tocsin pinned (changed upstream or tampered with)")
    return Fetched(url=url, content=content, sha256=digest, origin=origin)
