"""绩效目标: the imported projects with budget, plan and indicator count; for the administrator, the
rules chosen per indicator (累计/水平, the direction of an '=' target) and the self-evaluation weight
preset of the year's target document (``components.rule_choices``)."""

import streamlit as st

from components import cached
from components.auth import current_principal
from components.no_targets import no_targets
from components.page import reader_page
from components.rule_choices import admin_principal, indicator_rule_editor, preset_picker
from components.search import GRID_FILTER_FROM, grid_filter, project_picker, shown_of
from data_access.views import filter_frame
from domain.money import money_figure, scale_for

ctx = reader_page("绩效目标")
df = cached.project_rows(ctx)
if df.empty:
    no_targets(current_principal())
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric("项目数", f"{len(df)}个")
c2.metric("预算总额", f"{money_figure(df['budget_wan'].sum())}{scale_for(df['budget_wan'].sum()).unit}")
c3.metric("绩效指标", f"{int(df['indicators'].sum())}个")

query = grid_filter("targets_filter", "筛选：项目名称/单位/领域…") if len(df) > GRID_FILTER_FROM else ""
shown = filter_frame(df, query, ["name", "unit", "area"])
if query:
    st.caption(shown_of(len(shown), len(df), query, "个项目"))
st.dataframe(
    shown[["seq", "name", "unit", "area", "budget_wan", "plan", "indicators"]],
    hide_index=True,
    width="stretch",
    placeholder="",
    column_config={
        "seq": st.column_config.NumberColumn("序号", format="%d"),
        "name": "项目名称",
        "unit": "责任单位",
        "area": "分项领域",
        "budget_wan": st.column_config.NumberColumn("预算（万元）", format="%,.2f"),
        "plan": "资金支出计划（累计进度）",
        "indicators": st.column_config.NumberColumn("指标数", format="%d"),
    },
)

admin = admin_principal()
if admin is not None:
    st.subheader("判断方式与自评权重（管理员）")
    st.caption("指标默认按规则判断：累计型按序时折算，水平型直接判断；“=”金额按二级指标定方向（成本指标为上限，"
               "其余为须达到）。在此可逐项改设，原因中会注明「管理员设定」；每项修改都记入审计日志。")
    years = cached.fiscal_years(ctx.rev)
    year = max(years) if years else None
    if year is not None:
        preset_picker(admin, year=year)
    names = {int(i): str(n) for i, n in zip(df["id"], df["name"])}
    pid = project_picker("项目", names, key="rules_project")
    if pid is not None:
        indicator_rule_editor(admin, int(pid))
