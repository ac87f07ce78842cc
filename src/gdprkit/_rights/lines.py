"""A batch of encoded rows as the text of the package's data files: JSON Lines and CSV.

The cells of a batch arrive a column at a time (:meth:`CellEncoder.columns
<gdprkit._rights.cells.CellEncoder.columns>`); each file's text is the
columns interleaved with the fixed text between them (``{"kwh": `` … ``}``
for JSON Lines, commas for CSV) and joined in one call, which costs a
fraction of formatting or writing each row. The result is the text
``json.dumps`` of each row's dict and :func:`csv.writer` would give, to the
byte: the tests hold both against those.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from gdprkit._rights.cells import json_string

__all__ = ["RowText", "interleave"]

#: Characters that make :func:`csv.writer` quote a cell (delimiter, quote character, the
#: line terminator's) or that it may treat specially (NUL): a column with any of them is
#: written by the writer itself.
_CSV_SPECIAL = (",", '"', "\r", "\n", "\0")


def interleave(separators: Sequence[str], columns: Sequence[Sequence[str]], rows: int) -> str:
    """For each of ``rows`` rows, ``separators[0]``, its cell of ``columns[0]``,
    ``separators[1]`` … ``separators[-1]``, all joined (one more separator than columns)."""
    if len(separators) != len(columns) + 1:
        raise ValueError("interleave needs one separator more than columns")
    width = 2 * len(columns) + 1
    pieces = [""] * (rows * width)
    for index, separator in enumerate(separators):
        if separator:
            pieces[2 * index :: width] = [separator] * rows
    for index, column in enumerate(columns):
        pieces[2 * index + 1 :: width] = column  # a column of another length raises ValueError
    return "".join(pieces)


def _plain_csv(column: Sequence[str]) -> bool:
    """Whether :func:`csv.writer` writes every cell of ``column`` as it is (no quotes)."""
    text = "".join(column)
    return not any(special in text for special in _CSV_SPECIAL)


class RowText:
    """The JSON Lines and CSV text of batches of rows of ``fields``."""

    __slots__ = ("_csv_separators", "_json_separators", "_table", "_writer")

    def __init__(self, fields: Sequence[str]) -> None:
        keys = [json_string(field) + ": " for field in fields]
        # One JSON object per row with the keys in plan order, as json.dumps(dict) writes it.
        self._json_separators = (
            ["{" + keys[0], *(", " + key for key in keys[1:]), "}\n"] if keys else ["{}\n"]
        )
        self._csv_separators = ["", *[","] * (len(fields) - 1), "\r\n"] if fields else ["\r\n"]
        self._table = io.StringIO(newline="")
        self._writer = csv.writer(self._table, lineterminator="\r\n")

    def jsonl(
        self, tokens: Sequence[Sequence[str] | None], cells: Sequence[Sequence[str]], rows: int
    ) -> str:
        """The JSON Lines of ``rows`` rows whose JSON tokens are ``tokens``, a column at a time.

        A column of None tokens is its column of ``cells`` (texts that need no
        escaping, such as ISO dates) in double quotes, which go into the text
        around it.
        """
        separators = list(self._json_separators)
        columns: list[Sequence[str]] = []
        for index, (column, texts) in enumerate(zip(tokens, cells, strict=True)):
            if column is None:
                separators[index] += '"'
                separators[index + 1] = '"' + separators[index + 1]
                column = texts
            columns.append(column)
        return interleave(separators, columns, rows)

    def csv(self, columns: Sequence[Sequence[str]], rows: int) -> str:
        """The CSV lines (RFC 4180, CRLF) of ``rows`` rows whose cells are ``columns``."""
        # A lone empty cell is quoted (""), so that its line is not a blank one.
        if all(map(_plain_csv, columns)) and not (len(columns) == 1 and "" in columns[0]):
            return interleave(self._csv_separators, columns, rows)
        self._writer.writerows(zip(*columns, strict=True))
        return self._flush()

    def csv_header(self, fields: Sequence[str]) -> str:
        """The CSV header line: the field names."""
        self._writer.writerow(fields)
        return self._flush()

    def _flush(self) -> str:
        text = self._table.getvalue()
        self._table.seek(0)
        self._table.truncate()
        return text
