"""绩效目标: the imported projects with budget, plan and indicator count."""

import streamlit as st

from components import cached
from components.auth import current_principal
from components.no_targets import no_targets
from components.page import reader_page
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

st.dataframe(
    df[["seq", "name", "unit", "area", "budget_wan", "plan", "indicators"]],
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
