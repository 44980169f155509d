"""风险清单: every red / missing / amber / blue item for the filters, and every indicator whose target was
adjusted while it was red or amber, worst first; a page of ``PAGE_ROWS`` items at a time (a city has
tens of thousands), the exports hold the whole list; selecting a row opens the project."""

import streamlit as st

from components import cached
from components.export import export_buttons
from components.filters import caption, open_selected_row
from components.page import leadership_page
from components.status_badge import status_table, table_height
from domain.status import STATUS_LABELS

PAGE_ROWS = 200

ctx = leadership_page("风险清单")
caption(ctx.as_of, ctx.filters)
counts = cached.risk_counts(ctx)
total = sum(counts.values())
if not total:
    st.success("没有符合筛选条件的红、黄、未填报或超额完成待说明的事项。")
    st.stop()

adjusted = cached.risk_flagged(ctx)  # targets adjusted while red or amber
st.markdown(
    f"共 **{total}** 项："
    + "，".join(f"{STATUS_LABELS[s]} {int(counts[s])}项" for s in ("red", "missing", "amber", "blue", "green", "grey")
               if counts.get(s))
    + (f"（其中{adjusted}项指标在红、黄时调整了目标，见「目标调整」列）" if adjusted else "")
    + "。按严重程度和预算规模排序；**点选一行打开项目详情**。"
)
pages = (total + PAGE_ROWS - 1) // PAGE_ROWS
page = 0
if pages > 1:
    if st.session_state.get("risk_list_page", 0) >= pages:
        st.session_state["risk_list_page"] = 0
    page = st.selectbox("页", range(pages), key="risk_list_page", label_visibility="collapsed",
                        format_func=lambda i: f"第{i + 1}页（第{i * PAGE_ROWS + 1}–{min((i + 1) * PAGE_ROWS, total)}项，"
                                              f"共{pages}页）")
df = cached.risk_page(ctx, page * PAGE_ROWS, PAGE_ROWS)
if pages > 1:
    st.caption(f"每页{PAGE_ROWS}项，点击列标题只在本页内重新排序；导出按钮导出全部{total}项。")
else:
    st.caption("点击列标题可重新排序。")
event = status_table(df, key="risk_list", height=table_height(len(df), 720), on_select="rerun",
                     selection_mode="single-row")
open_selected_row(event, df)
export_buttons(df, what="风险清单", as_of=ctx.as_of, filters=ctx.filters, key="risks_export", total=total,
               source=cached.risk_all(ctx))
