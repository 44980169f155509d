"""风险清单: every red / missing / amber / blue item for the filters, sortable; selecting a row opens
the project."""

import streamlit as st

from components import cached
from components.export import export_buttons
from components.filters import caption, open_selected_row
from components.page import leadership_page
from components.status_badge import status_table, table_height
from domain.status import STATUS_LABELS

ctx = leadership_page("风险清单")
caption(ctx.as_of, ctx.filters)
df = cached.risk_frame(ctx)
if df.empty:
    st.success("没有符合筛选条件的红、黄、未填报或超额完成待说明的事项。")
    st.stop()

counts = df["_status"].value_counts()
st.markdown(
    f"共 **{len(df)}** 项："
    + "，".join(f"{STATUS_LABELS[s]} {int(counts[s])}项" for s in ("red", "missing", "amber", "blue") if s in counts)
    + "。默认按严重程度和预算规模排序，点击列标题可重新排序；**点选一行打开项目详情**。"
)
event = status_table(df, key="risk_list", height=table_height(len(df), 720), on_select="rerun",
                     selection_mode="single-row")
open_selected_row(event, df)
export_buttons(df, what="风险清单", as_of=ctx.as_of, filters=ctx.filters, key="risks_export")
