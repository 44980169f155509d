"""风险清单: every red / missing / amber / blue item for the filters, sortable, with its open 整改 items;
selecting a row opens the project. The admin raises a 整改 item for a listed project from here."""

import streamlit as st

from components import cached
from components.auth import current_principal
from components.export import export_buttons
from components.filters import caption, open_selected_row
from components.page import leadership_page
from components.rectification import create_form, show_message
from components.state import get_engine
from components.status_badge import status_table, table_height
from data_access.rectification import rectifications
from data_access.views import with_rectifications
from domain.clock import today_local
from domain.status import STATUS_LABELS

ctx = leadership_page("风险清单")
caption(ctx.as_of, ctx.filters)
principal = current_principal()
engine = get_engine()
items = rectifications(engine, principal, year=ctx.year, open_only=True)
df = with_rectifications(cached.risk_frame(ctx), items, today_local())
show_message("risks_rect")
if df.empty:
    st.success("没有符合筛选条件的红、黄、未填报或超额完成待说明的事项。")
    st.stop()

counts = df["_status"].value_counts()
listed_ids = set(df["_project_id"].astype(int))
items = [i for i in items if i.project_id in listed_ids]
overdue = sum(1 for i in items if i.due_text(today_local()).startswith("逾期"))
st.markdown(
    f"共 **{len(df)}** 项："
    + "，".join(f"{STATUS_LABELS[s]} {int(counts[s])}项" for s in ("red", "missing", "amber", "blue") if s in counts)
    + (f"；未销号整改{len(items)}项" + (f"（逾期{overdue}项）" if overdue else "") if items else "")
    + "。默认按严重程度和预算规模排序，点击列标题可重新排序；**点选一行打开项目详情**。"
)
event = status_table(df, key="risk_list", height=table_height(len(df), 720), on_select="rerun",
                     selection_mode="single-row")
open_selected_row(event, df)
export_buttons(df, what="风险清单", as_of=ctx.as_of, filters=ctx.filters, key="risks_export")

if principal.is_admin:
    results = {r.project.id: r for r in cached.evaluate(ctx)}
    listed = [int(p) for p in dict.fromkeys(df["_project_id"]) if int(p) in results]
    with st.expander("从风险清单提出整改", icon=":material/assignment_late:"):
        pid = st.selectbox("项目", listed, key="risks_rect_project",
                           format_func=lambda p: f"{STATUS_LABELS[results[p].status]}　{results[p].project.name}")
        create_form(engine, principal, results[pid], ctx.period_key, source="risks", key=f"risks_rect_{pid}",
                    notify="risks_rect")
