"""总览: headline numbers, spending chart, status matrix, areas, changes since the previous period and
the items most at risk — everything for the filters of the shared filter bar."""

import html

import streamlit as st

from components import cached, charts
from components.export import export_buttons
from components.filters import caption, open_selected_row
from components.page import leadership_page
from components.search import GRID_FILTER_FROM, grid_filter, shown_of
from components.status_badge import badge_html, status_chips, status_table, table_height
from data_access.views import CHANGE_ORDER, filter_frame, period_option_label
from domain.money import money_figure, scale_for
from domain.status import STATUS_LABELS

# rows on screen of the tables that grow with the data (a city has thousands of projects and hundreds of
# units): the overview shows the most urgent ones, the export buttons export all of them
CHANGES_SHOWN = 50
UNITS_SHOWN = 50

ctx = leadership_page("总览")
as_of, f = ctx.as_of, ctx.filters
caption(as_of, f)

h = cached.headline(ctx)
if h["project_count"] == 0:
    st.info("没有符合筛选条件的项目。请调整左侧的筛选条件。" + ("（当前只看已审核的数据）" if f.review == "approved" else ""))
    st.stop()
unchecked = h["project_count"] - h["approved_projects"]
st.caption(f"审核：{h['approved_projects']}个项目的本期数值已审核通过"
           + (f"，{unchecked}个项目为「未审核」数据（表中“审核”列标明；左侧“审核”可只看已审核）" if unchecked else "，均为已审核数据"))


def pct(v):
    return "—" if v is None else f"{v:.1f}%"


c = st.columns(6)
money = scale_for(h["budget_total"], h["spent_total"])  # 万元, or 亿元 at city scale: never cut off
c[0].metric(f"预算总额（{money.unit}）", money_figure(h["budget_total"], money), help=f"{h['project_count']}个项目")
c[1].metric(f"累计支出（{money.unit}）", money_figure(h["spent_total"], money),
            help=f"已填报支出的项目预算合计{h['reported_budget']:,.2f}万元；未填报的项目不计入")
gap = None if h["execution_pct"] is None or h["plan_pct"] is None else h["execution_pct"] - h["plan_pct"]
c[2].metric("预算执行率", pct(h["execution_pct"]),
            delta=None if gap is None else f"{gap:+.1f}个百分点（较计划）", delta_color="normal",
            help="累计支出 ÷ 已填报项目的预算")
c[3].metric("计划进度", pct(h["plan_pct"]), help="各项目资金支出计划在截至日的累计进度，按预算加权")
c[4].metric("序时进度", pct(h["time_pct"]), help="截至日已过全年时间的比例")
c[5].metric("未填报", f"{h['missing_items']}项", help=f"已到填报期但未填报的支出和指标，涉及{h['missing_projects']}个项目")

left, right = st.columns(2)
with left:
    status_chips(h["projects"], title=f"项目状态（共{h['project_count']}个）", unit="")
    dept = cached.department_rollup(ctx)
    st.markdown(f"{badge_html(dept['status'], '整体' + STATUS_LABELS[dept['status']])} "
                f"预算占比：{html.escape(dept['shares'] or '—')}", unsafe_allow_html=True)
    st.caption(f"{dept['reason']}；最差项目为{STATUS_LABELS[dept['worst']]}。颜色依据由管理员在「设置」中选择。")
with right:
    status_chips(h["indicators"], title=f"指标状态（共{h['indicator_count']}项）", unit="")

# ------------------------------------------------------------------ items needing a decision
st.subheader("需要关注的事项")
total = sum(cached.risk_counts(ctx).values())
if not total:
    st.success("没有红、黄、未填报或超额完成待说明的事项。")
else:
    top = cached.risk_page(ctx, 0, 10)
    st.caption(f"共{total}项，按严重程度和预算规模排序，显示前{len(top)}项；点选一行查看项目详情。完整清单见「风险清单」。")
    event = status_table(top, key="overview_risks", columns=["状态", "项目名称", "原因", "审核", "责任单位", "事项", "目标", "当前值"],
                         on_select="rerun", selection_mode="single-row")
    open_selected_row(event, top)
    export_buttons(top, what=f"需要关注的事项_前{len(top)}项", as_of=as_of, filters=f, key="overview_risks_export",
                   total=total)
    if total > len(top):
        st.caption(f"以上按钮只导出所示的前{len(top)}项；全部{total}项请在「风险清单」导出。")

# ------------------------------------------------------------------ spending and changes
prev = ctx.previous
change_counts = cached.change_counts(ctx) if prev is not None else None
left, right = st.columns([3, 2])
with left:
    st.subheader("累计支出：计划与实际")
    st.vega_lite_chart(cached.department_spending_spec(ctx), theme=None, key="dept_spending")
    st.caption("计划 = 各项目资金支出计划的累计进度 × 预算；序时进度 = 预算 × 已过时间比例；实际只计已填报的项目。")
with right:
    st.subheader("与上期相比")
    if prev is None or change_counts is None:
        st.info("本期为年度第一期，没有上期可比较。")
    else:
        st.caption(f"与{period_option_label(prev)}相比，按项目状态")
        grid = st.columns(2)
        for i, k in enumerate(CHANGE_ORDER):
            grid[i % 2].metric(k, f"{change_counts.get(k, 0)}个")
changed = sum(change_counts.values()) if change_counts is not None else 0
if changed:
    # the first CHANGES_SHOWN read from the store; the whole list only while the 「筛选」 box is used
    query = grid_filter("overview_changes_filter", "筛选：项目名称/单位/变化…") if changed > GRID_FILTER_FROM else ""
    matching = filter_frame(cached.changes(ctx, None), query, ["项目名称", "责任单位", "变化", "原因"]) if query else None
    listed = changed if matching is None else len(matching)
    shown = cached.changes(ctx, CHANGES_SHOWN) if matching is None else matching.head(CHANGES_SHOWN)
    status_table(shown, key="overview_changes", columns=["变化", "项目名称", "责任单位", "上期状态", "本期状态", "原因", "补报事项"],
                 height=table_height(len(shown), 480))
    if query:
        st.caption(shown_of(listed, changed, query, "个项目"))
    if listed > len(shown):
        st.caption(f"共{listed}个项目，按变化类别和预算规模排序，显示前{len(shown)}个；导出按钮导出全部{listed}个。")
    export_buttons(shown if matching is None else matching, what="与上期相比", as_of=as_of, filters=f,
                   key="overview_changes_export", status_column_map={"本期状态": "_status", "上期状态": "_prev_status"},
                   query=query, total=changed if matching is None else None,
                   source=cached.changes_all(ctx) if matching is None else None)
elif change_counts is not None:
    st.success("与上期相比没有项目状态变化。")

# ------------------------------------------------------------------ status matrix
st.subheader("状态矩阵：项目 × 指标类别")
level = st.radio("按", ["level1", "level2"], horizontal=True, key="overview_matrix_level",
                 format_func=lambda v: {"level1": "一级指标", "level2": "二级指标"}[v], label_visibility="collapsed")
mx, left_out = cached.matrix(ctx, level, 60)
if mx.empty:
    st.info("没有符合筛选条件的事项。")
else:
    charts.status_matrix(ctx, level, 60, key="overview_matrix")
    note = "格中为该类指标中最差的状态，数字为黄/红/未填报的项数；悬停查看原因。"
    if left_out:
        note += f" 仅显示最需关注的60个项目，另有{left_out}个项目未显示。"
    st.caption(note)
    export_buttons(cached.matrix_table(ctx, level, 60), what="状态矩阵", as_of=as_of, filters=f, key="overview_matrix_export")

# ------------------------------------------------------------------ department-level areas and units
ROLLUP_SHOWN = ["状态", "原因", "最差项目", "项目数", "红", "黄", "未填报", "绿", "红占预算%", "黄占预算%", "未填报占预算%",
                "绿占预算%", "预算（万元）", "累计支出（万元）", "执行率%"]
ROLLUP_NOTE = ("状态按「设置」中的汇总颜色依据判断（默认按预算占比：已评价预算中绿色项目的比例），原因列给出依据；"
               "「最差项目」为其中最差的项目状态；各色占预算%为该色项目预算占合计预算的比例。")
st.subheader("部门整体绩效目标：分领域")
areas = cached.area_statuses(ctx)
if areas.empty:
    st.info("没有符合筛选条件的领域。")
else:
    status_table(areas, key="overview_areas", height=table_height(len(areas)), columns=["领域", *ROLLUP_SHOWN])
    st.caption(ROLLUP_NOTE + "展开查看各领域的绩效目标和绩效指标原文。")
    for rec in areas.itertuples(index=False):
        with st.expander(f"{rec.领域} · {rec.状态}"):
            st.markdown(f"**绩效目标**：{rec.绩效目标 or '（无）'}")
            st.markdown(f"**绩效指标**：{rec.绩效指标 or '（无）'}")
            if rec.量化目标:
                st.markdown(f"**其中的量化目标**：{rec.量化目标}")
    export_buttons(areas, what="分领域状态", as_of=as_of, filters=f, key="overview_areas_export")

if cached.names_departments(ctx):
    st.subheader("分主管部门")
    departments = cached.department_statuses(ctx)
    if departments.empty:
        st.info("没有符合筛选条件的主管部门。")
    else:
        status_table(departments, key="overview_departments", height=table_height(len(departments), 560),
                     columns=["主管部门", *ROLLUP_SHOWN])
        st.caption(ROLLUP_NOTE + "按下属单位的项目汇总，最需关注的部门在前；「（未分配）」为未归属主管部门的单位的项目。")
        export_buttons(departments, what="分主管部门状态", as_of=as_of, filters=f, key="overview_departments_export")

st.subheader("分责任单位")
units = cached.unit_statuses(ctx)
if units.empty:
    st.info("没有符合筛选条件的责任单位。")
else:
    query = grid_filter("overview_units_filter", "筛选：单位名称…") if len(units) > GRID_FILTER_FROM else ""
    matching = filter_frame(units, query, ["责任单位"])
    shown_units = matching.head(UNITS_SHOWN)
    status_table(shown_units, key="overview_units", height=table_height(len(shown_units), 560),
                 columns=["责任单位", *ROLLUP_SHOWN])
    st.caption((shown_of(len(matching), len(units), query, "个单位") + "。" if query else "") + ROLLUP_NOTE
               + "最需关注的单位在前"
               + (f"；共{len(matching)}个单位，显示前{len(shown_units)}个，导出按钮导出全部{len(matching)}个。"
                  if len(matching) > len(shown_units) else "。"))
    export_buttons(matching, what="分单位状态", as_of=as_of, filters=f, key="overview_units_export", query=query)
