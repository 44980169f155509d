"""项目详情: one project — facts, planned vs actual spending, indicators with status and reason, each
indicator's history across the periods with data, and the change history of its values."""

import html

import streamlit as st

from components import cached, charts
from components.export import export_buttons
from components.filters import SELECTED_PROJECT, caption
from components.page import leadership_page
from components.state import get_engine
from components.status_badge import badge_html, status_chips, status_table
from data_access.exports import export_bundle
from data_access.views import ViewFilters
from documents.mime import XLSX_MIME
from documents.monitoring_workbook import monitoring_workbook

ctx = leadership_page(None)  # the title is the project's name
year, as_of, f = ctx.year, ctx.as_of, ctx.filters

# ------------------------------------------------------------------ which project
# candidates: the visible projects in the chosen areas/units (statuses and groups filter the indicators)
place = ViewFilters(areas=f.areas, units=f.units)
projects = cached.projects_status_frame(ctx.with_filters(place))
if projects.empty:
    st.title("项目详情")
    st.info("没有符合筛选条件的项目。")
    st.stop()
names = dict(zip(projects["_project_id"].astype(int), projects["项目名称"]))
labels = dict(zip(projects["_project_id"].astype(int), projects["项目状态"]))

# the project chosen in this session (picker, risk list) wins; a new session starts from ?project=
wanted = st.session_state.get(SELECTED_PROJECT)
qp = st.query_params.get("project")
if wanted is None and qp and str(qp).isdigit():
    wanted = int(qp)
if wanted is not None and wanted not in names:
    # chosen elsewhere (risk list, URL) but outside the area/unit filter: still show it when visible
    all_projects = cached.projects_status_frame(ctx.with_filters(ViewFilters()))
    extra = all_projects[all_projects["_project_id"] == wanted]
    if extra.empty:
        st.warning("该项目不存在或您无权查看，已显示其他项目。")
        wanted = None
    else:
        names = {wanted: extra.iloc[0]["项目名称"], **names}
        labels[wanted] = extra.iloc[0]["项目状态"]
ids = list(names)
if wanted is None:
    wanted = ids[0]
st.session_state[SELECTED_PROJECT] = wanted
st.session_state["project_pick"] = wanted


def _picked() -> None:
    st.session_state[SELECTED_PROJECT] = st.session_state["project_pick"]


pid = st.selectbox("项目", ids, key="project_pick", on_change=_picked,
                   format_func=lambda i: f"{labels.get(i, '')}  {names[i]}")
if st.query_params.get("project") != str(pid):
    st.query_params["project"] = str(pid)

detail = cached.project_detail(ctx.read, pid)
result = cached.evaluate_one(ctx, pid)
if detail is None or result is None:
    st.error("该项目不存在或您无权查看。")
    st.stop()

st.title(detail["name"])
caption(as_of, f)
st.markdown(badge_html(result.status, size="1.2rem") + f" {html.escape(result.reason)}", unsafe_allow_html=True)

# ------------------------------------------------------------------ facts and spending, side by side
b = result.budget
split = []
if detail["fiscal_wan"] is not None:
    split.append(f"财政资金{detail['fiscal_wan']:,.2f}万元")
if detail["other_wan"]:
    split.append(f"其他资金{detail['other_wan']:,.2f}万元")
facts, chart = st.columns([2, 3])
with facts:
    c = st.columns(2)
    c[0].metric("预算（万元）", f"{(detail['budget_wan'] or 0):,.2f}", help="；".join(split) or None)
    c[1].metric("累计支出（万元）", "未填报" if result.project.spent_wan is None else f"{result.project.spent_wan:,.2f}")
    c = st.columns(2)
    c[0].metric("执行率", "—" if b.execution_pct is None else f"{b.execution_pct:.1f}%",
                delta=None if b.execution_pct is None or b.expected_pct is None
                else f"{b.execution_pct - b.expected_pct:+.1f}个百分点（较计划）", delta_color="normal")
    c[1].metric("计划进度", "—" if b.expected_pct is None else f"{b.expected_pct:.1f}%")
    c = st.columns(2)
    c[0].metric("全年预计执行率", "—" if b.projected_pct is None else f"{b.projected_pct:.1f}%")
    c[1].metric("指标", f"{len(result.indicators)}项")
    st.markdown(
        f"**责任单位**：{html.escape(detail['unit'] or '—')}　**领域**：{html.escape(detail['area'] or '—')}  \n"
        f"**资金来源**：{'；'.join(split) or '—'}  \n**预算执行**：" + badge_html(b.status) + f" {html.escape(b.reason)}",
        unsafe_allow_html=True,
    )
with chart:
    series = cached.project_spending(ctx.read, pid, as_of)
    charts.project_spending(series, as_of, title=f"{detail['name']}：累计支出（万元）", key="project_spending")
with st.expander("资金主要用途与绩效目标", expanded=False):
    st.markdown(f"**项目资金主要用途**：{detail['purpose'] or '（无）'}")
    if detail["goals"]:
        st.markdown("**绩效目标**：\n" + "\n".join(f"{i}. {g}" for i, g in enumerate(detail["goals"], 1)))
    if detail["plan"]:
        st.markdown("**资金支出计划（累计）**：" + "；".join(
            f"{cp['label']} {cp['cumulative_pct']:g}%" for cp in detail["plan"] if cp["cumulative_pct"] is not None))

# ------------------------------------------------------------------ indicators
st.subheader("绩效指标")
inds = cached.indicators_frame(ctx, pid)
status_chips(result.indicator_counts(), title="指标状态（项）", unit="", hide_zero=True)
if inds.empty:
    st.info("没有符合筛选条件的指标。")
else:
    status_table(inds, key="project_indicators")
    export_buttons(inds, what=f"项目指标_{detail['name']}", as_of=as_of, filters=f, key="project_indicators_export")



def _workbook() -> bytes:
    bundle = export_bundle(get_engine(), year, as_of, [pid], project_filter=ctx.project_filter)
    return monitoring_workbook(bundle.results, bundle.meta, as_of, bundle.department, summary=False)


st.download_button(
    "下载项目支出绩效目标执行监控表（Excel）", data=_workbook,
    file_name=f"项目支出绩效目标执行监控表_{detail['name']}_{as_of.isoformat()}.xlsx",
    mime=XLSX_MIME, key="project_workbook", icon=":material/download:",
)

# ------------------------------------------------------------------ history across periods
st.subheader("各期状态")
hist = cached.project_history(ctx.read, pid)
if hist.empty:
    st.info("尚无任何一期的填报数据。")
else:
    charts.indicator_history(hist, key="project_history_chart")
    items = list(dict.fromkeys(hist.sort_values("_order", kind="stable")["事项"]))
    chosen = st.selectbox("查看某一事项的各期数值", items, key="project_history_item")
    one = hist[hist["事项"] == chosen]
    status_table(one, key="project_history_table", columns=["填报期", "状态", "目标", "当前值", "全年预计", "原因"])

# ------------------------------------------------------------------ change history
st.subheader("修改记录")
audit = cached.change_history(ctx.read, pid)
if audit.empty:
    st.caption("暂无修改记录（示例数据和导入不逐条记录）。")
else:
    st.dataframe(audit, hide_index=True, width="stretch", height=min(38 + 35 * len(audit), 400), key="project_audit",
                 placeholder="")
    export_buttons(audit, what=f"修改记录_{detail['name']}", as_of=as_of, filters=f, key="project_audit_export")
