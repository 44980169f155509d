"""The admin's choices of the rules for one indicator, project or target document (docs/rules.md §4.1,
§4.2, §7): an indicator accumulating or a level, the direction of an '=' target, the self-evaluation
weight preset of a project and of the year's target document.

Shown only to an administrator; every save goes through ``data_access.rule_overrides`` (admin only,
re-read, audited, revision bumped) and a refusal is shown in Chinese with nothing written.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.auth import current_principal
from components.state import get_engine
from data_access.db import DatabaseBusy
from data_access.permissions import ADMIN, PermissionDenied, Principal
from data_access.rule_overrides import (
    ACCUMULATE_WORDS,
    DIRECTION_WORDS,
    NAMED_PRESETS,
    RuleChoiceError,
    document_preset,
    indicator_rules,
    project_preset,
    set_indicator_rules,
    set_selfeval_preset,
)
from domain.settings import WEIGHT_PRESETS

REFUSED = (RuleChoiceError, PermissionDenied, DatabaseBusy)
INHERIT = "inherit"
_ACC_BY_WORD = {w: k for k, w in ACCUMULATE_WORDS.items()}
_DIR_BY_WORD = {w: k for k, w in DIRECTION_WORDS.items()}


def admin_principal() -> Principal | None:
    """The signed-in principal when it is an administrator, else None."""
    p = current_principal()
    return p if p.role == ADMIN else None


def _flash(key: str) -> None:
    msg = st.session_state.pop(key, None)
    if msg:
        st.success(msg)


def preset_picker(principal: Principal, *, year: int | None = None, project_id: int | None = None) -> None:
    """A choice of the self-evaluation weight preset of the year's target document or of one project."""
    engine = get_engine()
    if project_id is not None:
        current, inherit, key = project_preset(engine, project_id), "随年度目标表或设置", f"preset_project_{project_id}"
        label = "本项目的自评权重方案"
    else:
        assert year is not None
        current, inherit, key = document_preset(engine, year), "按设置中的权重", f"preset_year_{year}"
        label = f"{year}年度目标表的自评权重方案"
    options = [INHERIT, *NAMED_PRESETS]  # a word for "none", so the choice is never an empty, clearable box
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    picked = c1.selectbox(label, options, index=options.index(current) if current in options else 0, key=key,
                          format_func=lambda k: inherit if k == INHERIT else WEIGHT_PRESETS[k][0],
                          help="国家10/50/30/10；预算执行20/指标80；湖北20/40/40。项目的设定优先于年度目标表，"
                               "年度目标表的设定优先于「设置」；目标表带分值时各指标仍按分值计分")
    chosen = None if picked == INHERIT else picked
    if c2.button("保存", key=f"{key}_save", disabled=chosen == current):
        try:
            set_selfeval_preset(engine, principal, chosen, year=year, project_id=project_id)
        except REFUSED as e:
            st.error(str(e))
            return
        st.session_state[f"{key}_flash"] = f"已保存：{label}为「{inherit if chosen is None else WEIGHT_PRESETS[chosen][0]}」"
        st.rerun()
    _flash(f"{key}_flash")


def indicator_rule_editor(principal: Principal, project_id: int) -> None:
    """The indicators of one project with how each is judged and the admin's two choices."""
    engine = get_engine()
    rules = indicator_rules(engine, project_id)
    if not rules:
        st.info("该项目没有绩效指标。")
        return
    df = pd.DataFrame([{
        "_id": r.id, "三级指标": r.level3, "二级指标": r.level2, "指标值": r.target_text, "默认判断": r.default_mode,
        "累计/水平": ACCUMULATE_WORDS[r.accumulates] if r.numeric else "—",
        "“=”目标方向": DIRECTION_WORDS[r.direction] if r.is_equal else "—", "当前判断": r.mode,
    } for r in rules])
    cc = st.column_config
    edited = st.data_editor(
        df, key=f"indicator_rules_{project_id}", hide_index=True, width="stretch", num_rows="fixed",
        disabled=["_id", "三级指标", "二级指标", "指标值", "默认判断", "当前判断"],
        column_config={
            "_id": None,
            "累计/水平": cc.SelectboxColumn("累计/水平", options=[*ACCUMULATE_WORDS.values(), "—"],
                                         help="数值指标：按默认规则，或设为累计型（按序时折算）/水平型（直接判断）；“—”为不适用"),
            "“=”目标方向": cc.SelectboxColumn("“=”目标方向", options=[*DIRECTION_WORDS.values(), "—"],
                                          help="仅“=”目标：按二级指标（成本为上限，其余为须达到），或指定按上限/按达到判断"),
        },
    )
    choices = {}
    for before, after in zip(df.itertuples(index=False), edited.itertuples(index=False)):
        acc, direction = after[5], after[6]
        if (acc, direction) != (before[5], before[6]):
            choices[int(after[0])] = (_ACC_BY_WORD.get(acc), _DIR_BY_WORD.get(direction))
    flash = f"indicator_rules_{project_id}_flash"
    if st.button(f"保存判断方式（{len(choices)}项修改）", key=f"indicator_rules_{project_id}_save", disabled=not choices,
                 type="primary"):
        try:
            n = set_indicator_rules(engine, project_id, choices, principal)
        except REFUSED as e:
            st.error(str(e))
            return
        st.session_state.pop(f"indicator_rules_{project_id}", None)
        st.session_state[flash] = f"已保存{n}处修改，所有页面的状态已按新的判断方式重新计算。"
        st.rerun()
    _flash(flash)


__all__ = ["admin_principal", "preset_picker", "indicator_rule_editor"]
