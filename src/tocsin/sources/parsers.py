"""Parsers shared by many sources: CSV, Excel sheets and R data files into tidy frames."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd

from tocsin.core.errors import DataError
from tocsin.sources.base import Parser, read_csv_strict


def csv_parser(rename: dict[str, str] | None = None) -> Parser:
    def parse(content: bytes, file: str) -> pd.DataFrame:
        frame = read_csv_strict(content, file)
        return frame.rename(columns=rename) if rename else frame

    return parse


def excel_sheet_parser(sheet: str) -> Parser:
    def parse(content: bytes, file: str) -> pd.DataFrame:
        try:
            frame = pd.read_excel(io.BytesIO(content), sheet_name=sheet)
        except ValueError as exc:  # missing sheet
            raise DataError(file, f"cannot read sheet {sheet!r}: {exc}") from exc
        except Exception as exc:  # a corrupt or truncated xlsx (zip) raises many kinds of errors
            raise DataError(file, f"not a readable Excel file ({type(exc).__name__}: {exc})") from exc
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame

    return parse


def rdata_parser(obj: str | None = None) -> Parser:
    """R .Rdata/.rds via pyreadr (it reads only from a path, hence the temporary file)."""

    def parse(content: bytes, file: str) -> pd.DataFrame:
        import pyreadr

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(file).name
            path.write_bytes(content)
            try:
                result = pyreadr.read_r(str(path))
            except Exception as exc:  # pyreadr raises its own and generic errors on corrupt files
                raise DataError(file, f"not a readable R data file ({exc})") from exc
        if not result:
            raise DataError(file, "R data file holds no data frame")
        key = obj if obj is not None else next(iter(result))
        if key not in result:
            raise DataError(file, f"R data file has no object {key!r}")
        return result[key]

    return parse
