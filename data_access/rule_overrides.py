"""The admin's per-indicator and per-document choices of the rules (docs/rules.md §4.1, §4.2, §7):

* an indicator accumulates or is a level (``indicator.accumulates``), whatever the default rule says;
* an '=' target is a ceiling or an amount to reach (``indicator.direction``), whatever its 二级指标 says;
* the self-evaluation weight preset of a target document (``fiscal_year.selfeval_preset``) and of a
  project (``project.selfeval_preset``); the project's wins, then the document's, then 设置.

Every write is admin only, re-reads the acting account in its transaction, is one transaction, appends
one audit row per changed value (old -> new, in words) and bumps the data revision. Bad input is
refused with a Chinese :class:`RuleChoiceError` and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.actuals.lookups import indicator_input
from data_access.db import bump_revision, session_scope
from data_access.models import AuditLog, FiscalYear, Indicator, Project
from data_access.monitoring import load_settings
from data_access.permissions import Principal, require_admin
from domain.settings import WEIGHT_PRESETS, preset_choice
from domain.status import DIRECTION_LABELS, DIRECTIONS, MODE_LABELS, indicator_mode

DEFAULT_WORD = "按默认规则"
ACCUMULATE_WORDS = {None: DEFAULT_WORD, True: "累计型", False: "水平型"}
DIRECTION_WORDS = {None: "按二级指标（默认）", **DIRECTION_LABELS}
NAMED_PRESETS = tuple(k for k, (_, numbers) in WEIGHT_PRESETS.items() if numbers is not None)


class RuleChoiceError(ValueError):
    """A choice that cannot be stored (Chinese message); nothing was written."""


@dataclass(frozen=True, slots=True)
class IndicatorRule:
    """One indicator as the admin's editor shows it."""

    id: int
    level1: str
    level2: str
    level3: str
    target_text: str
    is_equal: bool  # an '=' target: its direction can be chosen
    numeric: bool  # a number with an operator: accumulating / level can be chosen
    accumulates: bool | None
    direction: str | None
    default_mode: str  # how the default rules judge it (MODE_LABELS)
    mode: str  # how it is judged now


def indicator_rules(engine: Engine, project_id: int) -> list[IndicatorRule]:
    """The indicators of a project (document order) with the admin's choices and how each is judged."""
    settings = load_settings(engine)
    with Session(engine) as s:
        inds = list(s.execute(select(Indicator).where(Indicator.project_id == project_id)
                              .order_by(Indicator.seq)).scalars())
    out = []
    for ind in inds:
        now = indicator_input(ind)
        plain = indicator_input(ind)
        plain.accumulates, plain.direction = None, None
        out.append(IndicatorRule(
            ind.id, ind.level1, ind.level2, ind.level3, ind.target_text,
            ind.kind == "numeric" and ind.op == "=", ind.kind == "numeric" and ind.op is not None,
            ind.accumulates, ind.direction, MODE_LABELS[indicator_mode(plain, settings)],
            MODE_LABELS[indicator_mode(now, settings)]))
    return out


def set_indicator_rules(engine: Engine, project_id: int, choices: Mapping[int, tuple[bool | None, str | None]],
                        by: Principal | None) -> int:
    """Store (accumulates, direction) for indicators of ``project_id``; returns how many values changed.
    A direction is only accepted for an '=' target."""
    username = require_admin(by).username
    for acc, direction in choices.values():
        if direction is not None and direction not in DIRECTIONS:
            raise RuleChoiceError(f"“=”目标方向须为{'或'.join(DIRECTION_LABELS.values())}")
        if acc not in (None, True, False):
            raise RuleChoiceError("累计/水平须为累计型、水平型或按默认规则")
    changed = 0
    with session_scope(engine) as s:
        take_write_lock(s)
        acting_principal(s, by)
        inds = {i.id: i for i in s.execute(select(Indicator).where(Indicator.project_id == project_id,
                                                                   Indicator.id.in_(list(choices)))).scalars()}
        unknown = sorted(set(choices) - set(inds))
        if unknown:
            raise RuleChoiceError(f"编号为{'、'.join(map(str, unknown))}的指标不属于该项目，未保存任何修改")
        for iid, (acc, direction) in choices.items():
            ind = inds[iid]
            if direction is not None and not (ind.kind == "numeric" and ind.op == "="):
                raise RuleChoiceError(f"指标「{ind.level3}」的指标值不是“=”目标，不能设定方向，未保存任何修改")
            if acc is not None and not (ind.kind == "numeric" and ind.op is not None):
                raise RuleChoiceError(f"指标「{ind.level3}」的指标值不是数值目标，不能设为累计型或水平型，未保存任何修改")
            for field_, old, new, words in (("accumulates", ind.accumulates, acc, ACCUMULATE_WORDS),
                                            ("direction", ind.direction, direction, DIRECTION_WORDS)):
                if old == new:
                    continue
                setattr(ind, field_, new)
                s.add(AuditLog(username=username, action="update", entity="indicator", entity_id=iid, field=field_,
                               old=words[old], new=words[new], detail=ind.level3))
                changed += 1
        if changed:
            bump_revision(s)
    return changed


# --------------------------------------------------------------------------- self-evaluation presets


def selfeval_presets(engine: Engine, project_ids: Iterable[int]) -> dict[int, tuple[str, str] | None]:
    """project id -> (preset, where it was set: 本项目 / 本年度目标表), or None for the weights of 设置."""
    ids = list(project_ids)
    if not ids:
        return {}
    with Session(engine) as s:
        rows = s.execute(select(Project.id, Project.selfeval_preset, FiscalYear.selfeval_preset)
                         .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
                         .where(Project.id.in_(ids))).all()
    return {pid: preset_choice(own, doc) for pid, own, doc in rows}


def document_preset(engine: Engine, year: int) -> str | None:
    with Session(engine) as s:
        return s.execute(select(FiscalYear.selfeval_preset).where(FiscalYear.year == year)).scalar()


def project_preset(engine: Engine, project_id: int) -> str | None:
    with Session(engine) as s:
        return s.execute(select(Project.selfeval_preset).where(Project.id == project_id)).scalar()


def set_selfeval_preset(engine: Engine, by: Principal | None, preset: str | None, *, year: int | None = None,
                        project_id: int | None = None) -> bool:
    """Set the weight preset of the target document of ``year`` or of one project (None: follow the
    level above). Returns whether anything changed."""
    username = require_admin(by).username
    if preset is not None and preset not in NAMED_PRESETS:
        names = "、".join(WEIGHT_PRESETS[k][0] for k in NAMED_PRESETS)
        raise RuleChoiceError(f"自评权重方案须为{names}之一，或随上级设定")
    if (year is None) == (project_id is None):
        raise ValueError("set_selfeval_preset needs exactly one of year and project_id")
    with session_scope(engine) as s:
        take_write_lock(s)
        acting_principal(s, by)
        row: FiscalYear | Project | None
        if project_id is not None:
            row, entity, inherit = s.get(Project, project_id), "project", "随年度目标表或设置"
        else:
            row = s.execute(select(FiscalYear).where(FiscalYear.year == year)).scalars().first()
            entity, inherit = "fiscal_year", "按设置"
        if row is None:
            raise RuleChoiceError("没有找到该项目或年度目标表，未保存任何修改")
        old = row.selfeval_preset
        if old == preset:
            return False
        row.selfeval_preset = preset
        s.add(AuditLog(username=username, action="update", entity=entity, entity_id=row.id, field="selfeval_preset",
                       old=WEIGHT_PRESETS[old][0] if old in WEIGHT_PRESETS else inherit,
                       new=WEIGHT_PRESETS[preset][0] if preset in WEIGHT_PRESETS else inherit))
        bump_revision(s)
    return True


__all__ = ["NAMED_PRESETS", "ACCUMULATE_WORDS", "DIRECTION_WORDS", "RuleChoiceError",
           "IndicatorRule", "indicator_rules", "set_indicator_rules", "selfeval_presets", "document_preset",
           "project_preset", "set_selfeval_preset"]
