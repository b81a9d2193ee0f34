"""What a public source is: where it lives, how to verify it, its licence, and how to parse it."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from tocsin.core.errors import DataError, SchemaError

# Kinds a schema column may require; "number" accepts ints and floats.
_KIND_CHECKS: dict[str, Callable[[pd.Series], bool]] = {
    "int": lambda s: pd.api.types.is_integer_dtype(s) or _all_integral(s),
    "number": pd.api.types.is_numeric_dtype,
    "str": lambda s: pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s),
    "any": lambda s: True,
}


def _all_integral(s: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(s):
        return False
    v = s.dropna()
    return bool(((v % 1) == 0).all())


@dataclass(frozen=True)
class Schema:
    """Columns a parsed table must have, with the kind of values each holds, and a minimum row count."""

    columns: Mapping[str, str]
    min_rows: int = 1
    not_null: tuple[str, ...] = ()

    def check(self, frame: pd.DataFrame, file: str) -> None:
        for col, kind in self.columns.items():
            if col not in frame.columns:
                raise SchemaError(file, "required column is missing", column=col)
            if not _KIND_CHECKS[kind](frame[col]):
                raise SchemaError(file, f"expected {kind} values, found {frame[col].dtype}", column=col)
        for col in self.not_null:
            n = int(frame[col].isna().sum())
            if n:
                raise SchemaError(file, f"{n} empty value(s) where a value is required", column=col)
        if len(frame) < self.min_rows:
            raise SchemaError(file, f"only {len(frame)} rows, expected at least {self.min_rows} (truncated?)")


Parser = Callable[[bytes, str], pd.DataFrame]


@dataclass(frozen=True)
class Source:
    """One public file, loaded into the warehouse as table `name`."""

    name: str
    url: str
    publisher: str
    licence: str
    citation: str
    parser: Parser
    schema: Schema
    description: str = ""
    # Verified on every fetch when set; every file Tocsin loads is pinned, whether its address names a commit
    # or a branch (a branch may move: the check turns a silent change into an error).
    sha256: str | None = None
    commit: str | None = None  # for a branch address: the publisher's commit the pinned sha256 matches
    family: str = "ewp"
    optional_setting: str | None = None  # a Settings flag that must be true to load it
    parser_version: str = "1"
    year_column: str | None = "year"
    tags: tuple[str, ...] = field(default_factory=tuple)

    def parse(self, content: bytes, file: str) -> pd.DataFrame:
        frame = self.parser(content, file)
        self.schema.check(frame, file)
        return frame


def read_csv_strict(content: bytes, file: str, **kwargs: object) -> pd.DataFrame:
    """Parse CSV bytes; a row with too few or too many fields (a truncated file) is an error naming the file.

    pyarrow's reader is used because it rejects short rows, which pandas' C reader silently pads with NaN.
    """
    if not content.strip():
        raise DataError(file, "file is empty")
    try:
        table = pacsv.read_csv(
            io.BytesIO(content),
            convert_options=pacsv.ConvertOptions(
                null_values=["", "NA", "NaN", "N/A", "nan"], strings_can_be_null=True,
                **kwargs,  # type: ignore[arg-type]
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        first = str(exc).splitlines()[0]
        raise DataError(file, f"malformed CSV ({first})") from exc
    frame = table.to_pandas()
    # R's write.csv leaves an unnamed row-number column.
    drop = [c for c in frame.columns if c in ("", "Unnamed: 0", "...1")]
    return frame.drop(columns=drop)

