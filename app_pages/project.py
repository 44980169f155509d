"""项目详情: one project — facts, planned vs actual spending, indicators with status and reason, its 整改
items (answered by the owner unit, closed by the admin) and 佐证材料, each indicator's history across the
periods with data, and the change history of its values."""

import html
from collections.abc import Mapping

import streamlit as st

from components import cached, charts
from components.adjustments import adjustments_section
from components.auth import current_principal
from components.evidence import project_files
from components.export import export_buttons
from components.filters import PICKED_UNDER, SELECTED_PROJECT, caption, select_project
from components.page import leadership_page
from components.rectification import create_form, item_cards
from components.review_panel import project_threads
from components.rule_choices import admin_principal, preset_picker
from components.search import PICKER_CAP, project_picker
from components.signature import current_signature
from components.state import get_engine
from components.status_badge import badge_html, status_chips, status_table
from data_access.actuals import period_states
from data_access.exports import export_bundle, selfeval_results
from data_access.rectification import rectifications
from data_access.views import status_text
from documents.mime import XLSX_MIME
from documents.monitoring_workbook import monitoring_workbook
from documents.selfeval_workbook import selfeval_workbook, verdict_line
from domain.periods import is_year_end
from domain.review import review_mark, state_label

ctx = leadership_page(None)  # the title is the project's name
year, as_of, f = ctx.year, ctx.as_of, ctx.filters

# ------------------------------------------------------------------ which project
# the projects of the filter bar (areas, departments, units, statuses), worst first: previous/next, and the
# picker (a search box and at most PICKER_CAP of the matches: a city has thousands; the current project
# is always offered)
choices = cached.project_choices(ctx)
order, labels = choices.order, choices.labels
wanted = st.session_state.get(SELECTED_PROJECT)
if wanted is not None and wanted not in labels and cached.evaluate_one(ctx, wanted) is None:  # a link may name a
    # visible project outside the filters; one that does not exist or is not visible is not shown
    st.warning("链接或上次选择的项目不存在或您无权查看，已显示筛选结果中最需关注的项目。")
    wanted = None
# a project chosen explicitly (a link, a row elsewhere) stays even outside the filters; once the filters
# change on this page, one that falls outside them gives way to the new list's worst project
picked_under = (f.areas, f.departments, f.units, f.statuses)
if wanted not in labels and st.session_state.get(PICKED_UNDER) not in (None, picked_under):
    wanted = None
st.session_state[PICKED_UNDER] = picked_under
if not order and wanted is None:
    st.title("项目详情")
    st.info("没有符合筛选条件的项目。请调整左侧的筛选条件。")
    st.stop()
pid = wanted if wanted is not None else order[0]
outside = pid not in labels
options: Mapping[int, str] = labels
if outside:
    one = cached.evaluate_one(ctx, pid)
    assert one is not None
    options = {pid: f"{status_text(one.status)}  {one.project.name}", **labels}  # offered first


def _go(target: int) -> None:
    st.session_state[SELECTED_PROJECT] = target


def _picked() -> None:
    st.session_state[SELECTED_PROJECT] = st.session_state["project_pick"]


prev_id, next_id, pos = choices.neighbours(pid)
long_list = len(options) > PICKER_CAP  # a search box beside the picker
bar = st.columns([2.2, 5, 1.1, 1.1, 2] if long_list else [6, 1.1, 1.1, 2])
search_box, *bar = bar if long_list else [bar[0], *bar]
pid = project_picker("项目", options, key="project_pick", current=pid, on_change=_picked, columns=(search_box, bar[0]),
                     help_text="筛选结果中的项目，按严重程度（红、未填报、黄……）和预算规模排序"
                               + (f"；列出前{PICKER_CAP}个，用「搜索项目」或左侧筛选缩小范围" if long_list else "")) or pid
bar[1].button("◀ 上一个", key="project_prev", on_click=_go, args=(prev_id,), disabled=prev_id is None, width="stretch")
bar[2].button("下一个 ▶", key="project_next", on_click=_go, args=(next_id,), disabled=next_id is None, width="stretch")
bar[3].markdown(f"**第{pos + 1}个 / 共{len(order)}个**" if pos is not None else f"不在筛选结果中 / 共{len(order)}个")
select_project(pid)
if outside:
    st.warning(f"所选项目不在当前筛选范围内（{f.describe()}），仍显示其详情；「下一个」转到筛选结果中最需关注的项目。")

detail = cached.project_detail(ctx.read, pid)
result = cached.evaluate_one(ctx, pid)
if detail is None or result is None:
    st.error("该项目不存在或您无权查看。")
    st.stop()

st.title(detail["name"])
caption(as_of, f, f"本期数值：{review_mark(result.project.review)}（{state_label(result.project.review)}）")
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
    p_in = result.project
    if p_in.initial_budget_wan is not None:  # adjusted by the as-of date: 执行率 is against this budget
        c[0].metric("调整后预算（万元）", f"{(p_in.budget_wan or 0):,.2f}",
                    delta=f"{(p_in.budget_wan or 0) - p_in.initial_budget_wan:+,.2f}（较年初）", delta_color="off",
                    help=f"年初预算数{p_in.initial_budget_wan:,.2f}万元；" + "；".join(split))
    else:
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
    series = cached.project_spending(ctx.read, pid, as_of, result.project.budget_wan,
                                     result.project.initial_budget_wan)
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



signature = current_signature(year)  # the 报表 page's signature block (department, the signed-in user)


def _workbook() -> bytes:
    bundle = export_bundle(get_engine(), year, as_of, [pid], project_filter=ctx.project_filter)
    return monitoring_workbook(bundle.results, bundle.meta, as_of, bundle.department, summary=False,
                               signature=signature)


st.download_button(
    "下载项目支出绩效目标执行监控表（Excel）", data=_workbook,
    file_name=f"项目支出绩效目标执行监控表_{detail['name']}_{as_of.isoformat()}.xlsx",
    mime=XLSX_MIME, key="project_workbook", icon=":material/download:",
)

# ------------------------------------------------------------------ 整改 and 佐证材料
principal = current_principal()
engine = get_engine()
st.subheader("整改事项")
item_cards(engine, principal, rectifications(engine, principal, project_ids=[pid]), key="project_rect",
           empty="本项目没有整改事项。")
if principal.is_admin:
    with st.expander("提出整改事项", icon=":material/assignment_late:"):
        create_form(engine, principal, result, ctx.period_key, source="project", key="project_rect_new",
                    notify="project_rect")
st.subheader("佐证材料")
project_files(engine, principal, pid, year, as_of, {p.code for p in period_states(engine, year, with_counts=False) if p.read_only})

# ------------------------------------------------------------------ self-evaluation preview
def _selfeval_workbook() -> bytes:
    bundle = export_bundle(get_engine(), year, as_of, [pid], project_filter=ctx.project_filter)
    evals = selfeval_results(get_engine(), year, as_of, results=bundle.results, settings=bundle.settings)
    return selfeval_workbook(evals, bundle.meta, as_of, bundle.department, year=year, summary=False,
                             results=bundle.results, signature=signature)


st.subheader("绩效自评预览")
ev = cached.selfeval_one(ctx, pid)
if ev is not None:
    st.markdown(verdict_line(ev, not is_year_end(as_of, year)))
    if ev.weights_note:
        st.caption(f"权重：{ev.weights_note}")
    if ev.warnings:
        st.warning("数据疑点（请核实，不影响保存）：\n\n" + "\n".join(f"- {w}" for w in ev.warnings))
    st.download_button(
        "下载项目支出绩效自评表预览（Excel）",
        data=_selfeval_workbook,
        file_name=f"项目支出绩效自评表_{detail['name']}_{as_of.isoformat()}.xlsx",
        mime=XLSX_MIME, key="project_selfeval_workbook", icon=":material/download:",
    )
    admin = admin_principal()
    if admin is not None:
        preset_picker(admin, project_id=pid)

adjustments_section(ctx, pid, result)

# ------------------------------------------------------------------ history across periods
st.subheader("各期状态")
st.caption(f"截至{as_of.year}年{as_of.month}月{as_of.day}日的各期；之后的填报期不显示。")
hist = cached.project_history(ctx.read, pid, as_of)
if hist.empty:
    st.info("尚无任何一期的填报数据。")
else:
    charts.indicator_history(hist, key="project_history_chart")
    items = list(dict.fromkeys(hist.sort_values("_order", kind="stable")["事项"]))
    chosen = st.selectbox("查看某一事项的各期数值", items, key="project_history_item")
    one = hist[hist["事项"] == chosen]
    status_table(one, key="project_history_table", columns=["填报期", "状态", "原因", "目标", "当前值", "全年预计"])

# ------------------------------------------------------------------ review comments
st.subheader("审核意见与留言")
principal = current_principal()
st.caption(f"{ctx.period.label}：{review_mark(result.project.review)}（{state_label(result.project.review)}）。"
           "每个事项一条留言线索，审核人与填报单位在此往来；填报和审核页面显示同一线索。")
project_threads(get_engine(), principal, ctx.period_key, pid, key=f"project_thread_{pid}",
                writable=not principal.is_leader)  # staff only ever see their own units' projects here

# ------------------------------------------------------------------ change history
st.subheader("修改记录")
audit = cached.change_history(ctx.read, pid, as_of)
if audit.empty:
    st.caption("截至所选期末暂无修改记录（示例数据和导入不逐条记录；之后各期的修改不显示）。")
else:
    st.caption("所选期末及之前各期数值的修改；之后各期的修改不显示。")
    st.dataframe(audit, hide_index=True, width="stretch", height=min(38 + 35 * len(audit), 400), key="project_audit",
                 placeholder="")
    export_buttons(audit, what=f"修改记录_{detail['name']}", as_of=as_of, filters=f, key="project_audit_export")
