"""One error type for every problem a reader can fix in their own input.

Messages name the parameter or column, the offending rows (as unit-year keys
where the data are a panel) and the rule that was broken, so that a reader
never has to decode a traceback from inside pandas or numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

_MAX_ROWS_SHOWN = 5

MAX_MAGNITUDE = 1e15
"""The largest absolute value accepted in a data column, by the reader's-file validator and
by the estimators.  No quantity of any data contract comes near it (China's GDP in yuan is
about 1.3e14); above it float64 no longer holds every whole number (2**53 is about 9e15) and
HiGHS treats LP coefficients as infinite.  A larger value is a unit or typing error."""


class InputError(ValueError):
    """A reader's data or parameter breaks a documented rule.

    Parameters
    ----------
    rule
        The rule in plain words, e.g. ``"DEA inputs must be strictly positive"``.
    column
        The data column at fault, if any.
    parameter
        The function or notebook parameter at fault, if any.
    rows
        Labels of the offending rows; the first few are shown, and the count.
    hint
        What the reader can do about it.
    """

    def __init__(
        self,
        rule: str,
        *,
        column: str | None = None,
        parameter: str | None = None,
        rows: Iterable[object] | None = None,
        hint: str | None = None,
    ) -> None:
        self.rule = rule
        self.column = column
        self.parameter = parameter
        self.rows: list[object] = list(rows) if rows is not None else []
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        parts = []
        if self.parameter is not None:
            parts.append(f"parameter '{self.parameter}'")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        parts.append(self.rule)
        text = ": ".join(parts)
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:_MAX_ROWS_SHOWN])
            more = len(self.rows) - _MAX_ROWS_SHOWN
            text += f" (rows: {shown}" + (f", and {more} more" if more > 0 else "") + ")"
        if self.hint:
            text += f". {self.hint}"
        return text


def check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`InputError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise InputError(
            f"must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}",
            parameter=name,
        )


def check_magnitude(
    values: np.ndarray, *, column: str, rows: Sequence[object] | Callable[[], Sequence[object]]
) -> None:
    """Raise :class:`InputError` if ``values`` hold ``inf``/``-inf`` or ``|x| > MAX_MAGNITUDE``
    (missing values pass); ``rows`` labels the entries of ``values``, or is a function
    returning the labels, called only when there is something to report (building labels
    for every row of every column costs more than the check)."""
    values = np.asarray(values, dtype=float)

    def labels_of(mask: np.ndarray) -> list[object]:
        labels = list(rows() if callable(rows) else rows)
        return [labels[i] for i in np.flatnonzero(mask)]

    infinite = np.isinf(values)
    if infinite.any():
        raise InputError("must be finite (inf found)", column=column, rows=labels_of(infinite))
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) > MAX_MAGNITUDE
    if huge.any():
        largest = float(np.nanmax(np.abs(values)))
        raise InputError(
            f"values must lie within +/-{MAX_MAGNITUDE:.0e} (|x| up to {largest:.3g} found)",
            column=column,
            rows=labels_of(huge),
            hint="Check the unit (e.g. yuan where 10,000 yuan is expected) or rescale the variable",
        )
