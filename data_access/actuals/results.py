"""What a save or an import reports back: refused rows, conflicts, changes, and their summaries.

Definitions chosen here:

* A row is identified by its position in the submitted list (``row``); a line of an uploaded file by
  where it sits (``第5行`` / ``指标填报第5行``) and its line number.
* A :class:`Conflict` carries both sides (stored and submitted) so the editor can offer "take theirs"
  or "overwrite with mine"; :attr:`Conflict.differing` lists only the fields that really differ.
* Messages are complete Chinese sentences starting with the field label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from data_access.actuals.values import fmt_value, norm_cmp, same
from domain import entry as E
from domain.clock import format_time


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one submitted row (``row`` = position in the submitted list)."""

    row: int
    field: str
    message: str  # complete Chinese sentence, starting with the field label
    entity_id: int | None = None  # indicator id or project id

    @property
    def label(self) -> str:
        return E.field_label(self.field)


@dataclass(slots=True)
class Conflict:
    """Someone else saved this value after it was loaded: the row was not written."""

    row: int
    entity_id: int  # indicator id or project id
    their_version: int | None
    their_by: str
    their_at: datetime | None
    theirs: dict[str, Any]  # field -> stored value
    yours: dict[str, Any]  # field -> what was submitted
    your_version: Any = None
    their_name: str = ""  # display name of who saved it (their_by is the login)
    own: bool = False  # saved earlier by the same person who submits now (another window, an earlier upload)

    @property
    def differing(self) -> list[str]:
        """Fields where the submitted value differs from the stored one."""
        out = []
        for k, v in self.yours.items():
            if not same(norm_cmp(k, v), norm_cmp(k, self.theirs.get(k))):
                out.append(k)
        return out

    @property
    def who(self) -> str:
        """The person who saved it, by name: ``张老师（zhang）``; ``你本人`` for one's own save."""
        if self.own:
            return "你本人"
        if self.their_name and self.their_by and self.their_name != self.their_by:
            return f"{self.their_name}（{self.their_by}）"
        return self.their_name or self.their_by or "他人"

    def message(self) -> str:
        """What happened, without advice (the screen and the import offer different actions)."""
        when = format_time(self.their_at)
        if self.own:
            return f"此行你本人已于{when}保存过（在这份数据载入或导出之后），与这次提交的值不同，这次未保存"
        return f"此行已由{self.who}于{when}保存（在你载入或导出之后），你的修改未保存"

    def both_values(self) -> list[tuple[str, str | None, str | None]]:
        """(field label, stored value, submitted value) of every field that differs."""
        fields = self.differing or list(self.yours)
        return [(E.field_label(f), fmt_value(self.theirs.get(f)), fmt_value(self.yours.get(f))) for f in fields]


@dataclass(frozen=True, slots=True)
class Change:
    """One field that was (or, in a dry run, would be) changed."""

    row: int
    entity_id: int
    field: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return E.field_label(self.field)


@dataclass(slots=True)
class SaveResult:
    kind: str  # domain.entry.INDICATOR_ROWS | SPENDING_ROWS
    period_code: str
    dry_run: bool = False
    saved: dict[int, int] = field(default_factory=dict)  # row -> actual id
    versions: dict[int, int] = field(default_factory=dict)  # row -> new version
    unchanged: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    statuses: dict[int, tuple[str, str]] = field(default_factory=dict)  # row -> (status, reason)
    would_save: list[int] = field(default_factory=list)  # dry run: rows that would be written

    @property
    def saved_ids(self) -> list[int]:
        return list(self.saved.values())

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def failed_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors} | {c.row for c in self.conflicts})

    def errors_for(self, row: int) -> list[RowError]:
        return [e for e in self.errors if e.row == row]

    def conflict_for(self, row: int) -> Conflict | None:
        return next((c for c in self.conflicts if c.row == row), None)

    def summary(self) -> str:
        n_saved = len(self.would_save) if self.dry_run else len(self.saved)
        verb = "将保存" if self.dry_run else "已保存"
        parts = [f"{verb}{n_saved}行"]
        if self.unchanged:
            parts.append(f"未改动{len(self.unchanged)}行")
        if self.errors:
            parts.append(f"{len(self.failed_rows) - len(self.conflicts)}行有错误未保存")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)}行与他人修改冲突")
        return "，".join(parts)


@dataclass(frozen=True, slots=True)
class LineError:
    """A refused line of an uploaded file: where (``第5行`` / ``指标填报第5行``), field, Chinese message."""

    where: str
    line: int | None
    field: str
    message: str
    item: str = ""  # project / 三级指标, for the reader


@dataclass(frozen=True, slots=True)
class LineChange:
    where: str
    line: int
    period_code: str
    item: str
    field: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return E.field_label(self.field)


@dataclass(slots=True)
class ImportResult:
    dry_run: bool
    total: int = 0  # data lines read
    saved: int = 0  # lines written (or, in a dry run, that would be)
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    conflicts: list[tuple[str, str, Conflict]] = field(default_factory=list)  # (where, item, conflict)
    changes: list[LineChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def failed(self) -> int:
        return len({e.where for e in self.errors} | {w for w, _i, _c in self.conflicts})

    def grouped_errors(self) -> list[LineError]:
        """The refused lines, with a refusal of the period (locked, unknown) said once for all its lines
        (``共91行``) instead of once per line."""
        out: list[LineError] = []
        seen: dict[str, list[int]] = {}  # message -> [index in out, lines]
        for e in self.errors:
            if e.field == E.PERIOD:
                if e.message in seen:
                    seen[e.message][1] += 1
                    continue
                seen[e.message] = [len(out), 1]
            out.append(e)
        for msg, (idx, n) in seen.items():
            if n > 1:
                out[idx] = LineError(f"共{n}行", None, E.PERIOD, msg, "")
        return out

    def summary(self) -> str:
        verb = "将保存" if self.dry_run else "已保存"
        parts = [f"共{self.total}行", f"{verb}{self.saved}行", f"未改动{self.unchanged}行"]
        if self.failed:
            parts.append(f"{self.failed}行未通过")
        return "，".join(parts)
