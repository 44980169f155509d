"""风险清单: every red / missing / amber / blue item for the filters, and every indicator whose target was
adjusted while it was red or amber, worst first, with its open 整改 items; a page of ``PAGE_ROWS`` items at
a time (a city has tens of thousands), the exports hold the whole list; selecting a row opens the
project. The admin raises a 整改 item for a listed project from here."""

import streamlit as st

from components import cached
from components.auth import current_principal
from components.export import export_buttons
from components.filters import caption, open_selected_row
from components.page import leadership_page
from components.rectification import create_form, show_message
from components.search import grid_filter, project_picker, shown_of
from components.state import get_engine
from components.status_badge import status_table, table_height
from data_access.rectification import rectifications
from data_access.views import RISK_STATUSES, with_rectifications
from domain.clock import today_local
from domain.status import STATUS_LABELS

PAGE_ROWS = 200

ctx = leadership_page("风险清单")
caption(ctx.as_of, ctx.filters)
principal = current_principal()
engine = get_engine()
listed = cached.project_choices(ctx, RISK_STATUSES)  # the projects in the list, as the picker offers them
items = [i for i in rectifications(engine, principal, year=ctx.year, open_only=True) if i.project_id in listed.position]
today = today_local()
show_message("risks_rect")
all_counts = cached.risk_counts(ctx)
whole_total = sum(all_counts.values())
if not whole_total:
    st.success("没有符合筛选条件的红、黄、未填报或超额完成待说明的事项。")
    st.stop()

adjusted = cached.risk_flagged(ctx)  # targets adjusted while red or amber
st.markdown(
    f"共 **{whole_total}** 项："
    + "，".join(f"{STATUS_LABELS[s]} {int(all_counts[s])}项" for s in ("red", "missing", "amber", "blue", "green", "grey")
               if all_counts.get(s))
    + (f"（其中{adjusted}项指标在红、黄时调整了目标，见「目标调整」列）" if adjusted else "")
    + (f"；未销号整改{len(items)}项" if items else "")
    + (f"（逾期{overdue}项）" if (overdue := sum(1 for i in items if i.due_text(today).startswith("逾期"))) else "")
    + "。按严重程度和预算规模排序；**点选一行打开项目详情**。"
)
query = grid_filter("risk_filter")  # filtered in SQL: the counts, every page and the export agree
if st.session_state.get("_risk_filter_was") != query:  # a new search starts on its first page
    st.session_state["_risk_filter_was"] = query
    st.session_state["risk_list_page"] = 0
total = sum(cached.risk_counts(ctx, query).values()) if query else whole_total
if query:
    st.caption(shown_of(total, whole_total, query))
if not total:
    st.info(f"没有含「{query}」的事项（按项目名称、责任单位、主管部门和指标查找）。")
else:
    pages = (total + PAGE_ROWS - 1) // PAGE_ROWS
    page = 0
    if pages > 1:
        if st.session_state.get("risk_list_page", 0) >= pages:
            st.session_state["risk_list_page"] = 0
        page = st.selectbox("页", range(pages), key="risk_list_page", label_visibility="collapsed",
                            format_func=lambda i: f"第{i + 1}页（第{i * PAGE_ROWS + 1}–{min((i + 1) * PAGE_ROWS, total)}项，"
                                                  f"共{pages}页）")
    df = with_rectifications(cached.risk_page(ctx, page * PAGE_ROWS, PAGE_ROWS, query), items, today)
    if pages > 1:
        st.caption(f"每页{PAGE_ROWS}项，点击列标题只在本页内重新排序；导出按钮导出全部{total}项。")
    else:
        st.caption("点击列标题可重新排序。")
    event = status_table(df, key="risk_list", height=table_height(len(df), 720), on_select="rerun",
                         selection_mode="single-row")
    open_selected_row(event, df)
    whole = cached.risk_all(ctx, query)
    export_buttons(df, what="风险清单", as_of=ctx.as_of, filters=ctx.filters, key="risks_export", total=total,
                   source=lambda: with_rectifications(whole(), items, today), query=query)

if principal.is_admin and listed.order:
    with st.expander("从风险清单提出整改", icon=":material/assignment_late:"):
        pid = project_picker("项目", listed.labels, key="risks_rect_project")
        result = cached.evaluate_one(ctx, pid) if pid is not None else None
        if result is not None:
            create_form(engine, principal, result, ctx.period_key, source="risks", key=f"risks_rect_{pid}",
                        notify="risks_rect")
