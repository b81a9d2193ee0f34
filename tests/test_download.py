from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tocsin.core.errors import ChecksumError, DownloadError
from tocsin.sources.download import fetch, mirror_path

URL = "https://example.org/data/some%20file.csv"


def _put(mirror: Path, content: bytes) -> Path:
    path = mirror / "example.org" / "data" / "some file.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    return path


def test_address_maps_to_percent_decoded_mirror_path(tmp_path: Path) -> None:
    assert mirror_path(URL, tmp_path) == (tmp_path / "example.org/data/some file.csv").resolve()


def test_fetch_reads_the_mirror_and_records_the_sha256(tmp_path: Path) -> None:
    _put(tmp_path, b"a,b\n1,2\n")
    got = fetch(URL, mirror=tmp_path)
    assert got.content == b"a,b\n1,2\n"
    assert got.sha256 == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert got.origin.startswith("mirror:")
    assert got.name == "some file.csv"


def test_a_pinned_sha256_that_differs_is_an_error_naming_the_file(tmp_path: Path) -> None:
    _put(tmp_path, b"a,b\n1,2\n")
    with pytest.raises(ChecksumError, match=r"some file\.csv: sha256 mismatch"):
        fetch(URL, mirror=tmp_path, sha256="0" * 64)


def test_a_file_missing_from_the_mirror_never_falls_back_to_the_network(tmp_path: Path, monkeypatch) -> None:
    def no_network(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("network touched")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(DownloadError, match="not in the data mirror"):
        fetch(URL, mirror=tmp_path)


def test_an_address_cannot_escape_the_mirror(tmp_path: Path) -> None:
    with pytest.raises(DownloadError):
        mirror_path("https://example.org/../../etc/passwd", tmp_path / "m")
