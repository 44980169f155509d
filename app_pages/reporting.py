"""填报进度: for the chosen period, every unit with its completion rate and how it stands against the
period's 填报截止日 (set on 填报期管理, else the period's end: 剩余N天 / 逾期N天), then the items the status
engine says are due but missing. Staff and
the admin open 填报 for a unit or a project by selecting its row; leaders open 项目详情."""

import streamlit as st

from components import cached
from components.auth import current_principal
from components.entry_drafts import open_entry_for
from components.export import export_buttons
from components.filters import caption, open_selected_row
from components.page import leadership_page
from components.status_badge import status_table
from data_access.views import deadline_text
from domain.clock import today_local

ctx = leadership_page("填报进度", statuses=False)
as_of, f, period, today = ctx.as_of, ctx.filters, ctx.period, today_local()
caption(as_of, f, f"填报期：{period.label}")
can_enter = not current_principal().is_leader

items, units = cached.reporting(ctx, today)
deadline = cached.period_deadline(ctx.rev, ctx.period_key)
projects = cached.project_count(ctx)

c = st.columns(4)
c[0].metric("缺报事项", f"{len(items)}项")
c[1].metric("涉及项目", f"{items['_project_id'].nunique() if not items.empty else 0}个", help=f"共{projects}个项目")
c[2].metric("有缺报的单位", f"{int((units['_missing'] > 0).sum())}个", help=f"共{len(units)}个单位应报")
c[3].metric("期限", deadline_text(deadline, today, len(items)),
            help=f"{period.label}的填报截止日为{deadline.year}年{deadline.month}月{deadline.day}日（填报期管理中设置）")


def _selected(event) -> int | None:
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    return rows[0] if rows else None


st.subheader("按单位")
st.caption("每个应报单位的填报完成率；缺报最多的单位排在前面。" + ("点选一行打开该单位的填报。" if can_enter else ""))
event = status_table(units, key="reporting_units", on_select="rerun" if can_enter else "ignore",
                     selection_mode="single-row")
export_buttons(units, what=f"填报进度_按单位_{period.label}", as_of=as_of, filters=f, key="reporting_units_export")
if can_enter and (pos := _selected(event)) is not None:
    open_entry_for(period.key, str(units.iloc[pos]["责任单位"]))

if items.empty:
    if today < period.end:
        st.info(f"{period.label}尚未结束，到期后这里会列出未填报的事项。")
    else:
        st.success(f"{period.label}应填报的支出和指标均已填报。")
    st.stop()

st.subheader("缺报明细")
st.caption("每一行是一项已到填报期但尚未填报的数值；" + ("点选一行打开该项目的填报。" if can_enter else "点选一行打开项目。"))
event = status_table(items, key="reporting_items", height=min(38 + 35 * len(items), 560),
                     extra_config={"应报日期": st.column_config.DateColumn("应报日期", format="YYYY-MM-DD"),
                                   "逾期天数": st.column_config.NumberColumn("逾期天数", format="%d天")},
                     on_select="rerun", selection_mode="single-row")
if can_enter:
    if (pos := _selected(event)) is not None:
        row = items.iloc[pos]
        open_entry_for(period.key, str(row["责任单位"]), int(row["_project_id"]))
else:
    open_selected_row(event, items)
export_buttons(items, what=f"填报进度_缺报明细_{period.label}", as_of=as_of, filters=f, key="reporting_items_export")
