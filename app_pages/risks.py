"""风险清单: every red / missing / amber / blue item for the filters, and every indicator whose target was
adjusted while it was red or amber, sortable; selecting a row opens the project."""

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
adjusted = int(df["目标调整"].str.startswith("调整前").sum())  # targets adjusted while red or amber
st.markdown(
    f"共 **{len(df)}** 项："
    + "，".join(f"{STATUS_LABELS[s]} {int(counts[s])}项" for s in ("red", "missing", "amber", "blue", "green", "grey")
               if s in counts)
    + (f"（其中{adjusted}项指标在红、黄时调整了目标，见「目标调整」列）" if adjusted else "")
    + "。默认按严重程度和预算规模排序，点击列标题可重新排序；**点选一行打开项目详情**。"
)
event = status_table(df, key="risk_list", height=table_height(len(df), 720), on_select="rerun",
                     selection_mode="single-row")
open_selected_row(event, df)
export_buttons(df, what="风险清单", as_of=ctx.as_of, filters=ctx.filters, key="risks_export")
