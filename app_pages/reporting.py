"""填报进度: for the chosen period, which units and projects have not reported which values (the items
the status engine says are due but missing), and how many days have passed since the period ended —
sorted for the finance officer chasing people."""

import streamlit as st

from components import cached
from components.export import export_buttons
from components.filters import caption, open_selected_row
from components.page import leadership_page
from components.status_badge import status_table
from domain.clock import today_local

ctx = leadership_page("填报进度", statuses=False)
as_of, f, period, today = ctx.as_of, ctx.filters, ctx.period, today_local()
caption(as_of, f, f"填报期：{period.label}")

items, units = cached.reporting(ctx, today)
projects = cached.projects_status_frame(ctx)
late = max(0, (today - period.end).days)

c = st.columns(4)
c[0].metric("缺报事项", f"{len(items)}项")
c[1].metric("涉及项目", f"{items['_project_id'].nunique() if not items.empty else 0}个", help=f"共{len(projects)}个项目")
c[2].metric("涉及单位", f"{len(units)}个")
c[3].metric("距期末", f"{late}天" if today >= period.end else f"还有{(period.end - today).days}天",
            help=f"{period.label}于{period.end.year}年{period.end.month}月{period.end.day}日结束")

if items.empty:
    if today < period.end:
        st.info(f"{period.label}尚未结束，到期后这里会列出未填报的事项。")
    else:
        st.success(f"{period.label}应填报的支出和指标均已填报。")
    st.stop()

st.subheader("按单位")
st.caption("缺报最多的单位排在前面。")
status_table(units, key="reporting_units")
export_buttons(units, what=f"填报进度_按单位_{period.label}", as_of=as_of, filters=f, key="reporting_units_export")

st.subheader("缺报明细")
st.caption("每一行是一项已到填报期但尚未填报的数值；点选一行打开项目。")
event = status_table(items, key="reporting_items", height=min(38 + 35 * len(items), 560),
                     extra_config={"应报日期": st.column_config.DateColumn("应报日期", format="YYYY-MM-DD"),
                                   "逾期天数": st.column_config.NumberColumn("逾期天数", format="%d天")},
                     on_select="rerun", selection_mode="single-row")
open_selected_row(event, items)
export_buttons(items, what=f"填报进度_缺报明细_{period.label}", as_of=as_of, filters=f, key="reporting_items_export")
