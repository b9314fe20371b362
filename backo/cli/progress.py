"""A progress bar for long work, drawn on a terminal only.

``flask backo migrate`` passes a :class:`ProgressBar` as the migration's ``on_progress``.
On a terminal it draws click's bar: count, total, share, time left and rate. Anywhere else
(a pipe, a log file, CI) it draws nothing: the command prints one summary line at the end.
"""

import sys
import time
from types import TracebackType
from typing import Any, TextIO

import click

__all__ = ["ProgressBar"]


class ProgressBar:
    """``on_progress(done, total)`` for :func:`backo.core.migration.migrate_collection`, as a context manager.

    The bar is created at the first call, when the total is known; without a total, or
    when ``stream`` is not a terminal, nothing is drawn.
    """

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream: TextIO = sys.stderr if stream is None else stream
        self.start = time.perf_counter()
        self.done = 0
        self._bar: Any = None
        self._drawn = _is_terminal(self.stream)

    def rate(self) -> float:
        """Objects per second so far."""
        elapsed = time.perf_counter() - self.start
        return self.done / elapsed if elapsed > 0 else 0.0

    def _rate_text(self, _item: Any) -> str:
        return f"{self.rate():.0f} objects/s"

    def __call__(self, done: int, total: int | None) -> None:
        step, self.done = done - self.done, done
        if not self._drawn or not total:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=total, label=self.label, file=self.stream, show_pos=True, show_eta=True,
                item_show_func=self._rate_text,
            )  # fmt: skip
            self._bar.__enter__()
        self._bar.update(step, current_item=done)

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, error, traceback)
            self._bar = None


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
