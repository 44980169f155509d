"""会议模式: one project (or one area) per screen in large type for the projector — the colour, the
numbers and the reason, and only the items that are not green, worst first. Previous/next buttons; the
arrow keys and PageUp/PageDown (presenter remotes) do the same wherever the focus is (except in a text
field). "只看红、黄和未填报" is on by default at scale (``data_access.views.ATTENTION_DEFAULT_FROM``).
The sidebar starts collapsed: the projector shows the slide, the filters are one click away. A project
slide names its open 整改 items; the admin raises one during the meeting under the slide (提出整改)."""

import html
from collections.abc import Mapping, Sequence

import streamlit as st

from components import cached
from components.auth import current_principal
from components.filters import SELECTED_PROJECT, caption, open_project, select_project
from components.page import leadership_page
from components.rectification import create_form, show_message
from components.state import get_engine
from components.status_badge import STATUS_SYMBOLS, badge_html, chips_html
from data_access.rectification import rectifications
from data_access.views import ATTENTION, ATTENTION_DEFAULT_FROM, build_slide, item_line
from documents.leader_charts import STATUS_COLORS, STATUS_TEXT_COLORS
from domain.clock import today_local
from domain.status import MISSING, STATUS_LABELS

st.set_page_config(initial_sidebar_state="collapsed")
ctx = leadership_page(None, demo_banner=False)
as_of, f = ctx.as_of, ctx.filters
demo = cached.has_demo(ctx.rev)

st.markdown(
    """
<style>
.block-container{padding-top:1.2rem;padding-bottom:0.5rem;max-width:100%}
.jx-slide{border-left:22px solid var(--c);background:#fbfbfb;padding:10px 26px 14px 26px;border-radius:6px;margin-bottom:8px}
.jx-slide .top{display:flex;align-items:center;gap:22px;flex-wrap:wrap}
.jx-slide .st{font-size:3rem;font-weight:800;border-radius:12px;padding:2px 22px;background:var(--c);color:var(--fg);white-space:nowrap}
.jx-slide .st.missing{outline:4px solid #2d0a3a}
.jx-slide .name{font-size:3.1rem;font-weight:800;line-height:1.2;color:#111;flex:1 1 20em;min-width:0}
.jx-slide .name.long{font-size:2.4rem}
.jx-slide .name.longer{font-size:1.9rem}
.jx-slide .meta{font-size:1.45rem;color:#444;margin-top:2px}
.jx-nums{display:flex;gap:54px;flex-wrap:wrap;margin:12px 0 4px 0}
.jx-nums .v{font-size:2.9rem;font-weight:800;line-height:1.1;color:#111}
.jx-nums .k{font-size:1.3rem;color:#555}
.jx-reason{font-size:1.6rem;line-height:1.45;color:#111;margin:8px 0 6px 0}
.jx-items{width:100%;border-collapse:collapse;font-size:1.35rem;margin-top:4px}
.jx-items th{text-align:left;color:#555;font-weight:600;border-bottom:2px solid #ccc;padding:4px 8px;white-space:nowrap}
.jx-items td{border-bottom:1px solid #e3e3e3;padding:5px 8px;vertical-align:top;color:#111}
.jx-items td.r{font-size:1.2rem;color:#333}
.jx-items td.n{white-space:nowrap}
.jx-items td.i{min-width:9em}
.jx-items.area{table-layout:fixed}
.jx-items.area col.s{width:5.5em}
.jx-items.area col.p{width:48%}
.jx-items.area td.p{font-weight:600;line-height:1.35}
.jx-items.area td.p .u{font-size:1.05rem;font-weight:400;color:#555}
.jx-demo{display:inline-block;font-size:1.1rem;background:#fff3cd;color:#6b4e00;border-radius:6px;padding:0 8px;margin-left:10px}
.jx-more{font-size:1.1rem;color:#555;margin-top:4px}
</style>
""",
    unsafe_allow_html=True,
)

mode = st.session_state.get("meeting_mode", "project")
ATTENTION_KEY = "meeting_attention"
if ATTENTION_KEY not in st.session_state:
    st.session_state[ATTENTION_KEY] = cached.project_count(ctx) >= ATTENTION_DEFAULT_FROM
attention = bool(st.session_state[ATTENTION_KEY])

# the order of data_access.views.meeting_order / area_order, read from the stored statuses
order: Sequence[str] | Sequence[int]
position: Mapping | None = None  # id -> index (by project): no scan of the list per click
if mode == "area":
    areas = cached.area_statuses(ctx)
    order = cached.area_order(ctx, tuple(areas["领域"]) if not areas.empty else (), attention)
else:
    choices = cached.project_choices(ctx, tuple(sorted(ATTENTION)) if attention else ())
    order, position = choices.order, choices.position


def _mode_and_filter() -> None:
    st.radio("方式", ["project", "area"], horizontal=True, key="meeting_mode", label_visibility="collapsed",
             format_func=lambda m: {"project": "按项目", "area": "按领域"}[m])
    st.toggle("只看红、黄和未填报", key=ATTENTION_KEY)


if not order:
    _mode_and_filter()
    st.info("没有符合条件的项目。请关闭「只看红、黄和未填报」或调整左侧的筛选条件。" if attention
            else "没有符合筛选条件的项目。请调整左侧的筛选条件。")
    st.stop()

# by project, the slide shown is the view's selected project (in the URL: a reload or a link opens the
# same slide; the first slide when none is selected or it is outside the filters); by area, the session's
POS = "meeting_current"
current = st.session_state.get(SELECTED_PROJECT) if mode == "project" else st.session_state.get(POS, {}).get(mode)
idx = (position.get(current, 0) if position is not None
       else next((i for i, o in enumerate(order) if o == current), 0))


def _move(step: int) -> None:
    target = order[(idx + step) % len(order)]
    if mode == "project":
        st.session_state[SELECTED_PROJECT] = target
    else:
        st.session_state.setdefault(POS, {})[mode] = target


if mode == "project":
    select_project(int(order[idx]))
else:
    st.session_state.setdefault(POS, {})[mode] = order[idx]

bar = st.columns([2, 1.2, 1.2, 1.2, 5])
with bar[0]:
    _mode_and_filter()
bar[1].button("◀ 上一个", key="meeting_prev", on_click=_move, args=(-1,), width="stretch")
bar[2].button("下一个 ▶", key="meeting_next", on_click=_move, args=(1,), width="stretch")
bar[3].markdown(f"<div style='font-size:1.4rem;font-weight:700;padding-top:4px'>{idx + 1} / {len(order)}</div>",
                unsafe_allow_html=True)
with bar[4]:
    caption(as_of, f, "方向键 ← → 或翻页键切换")

e = html.escape
DEMO_TAG = '<span class="jx-demo">示例数据</span>' if demo else ""


def _num(v, fmt: str, none: str = "—") -> str:
    return none if v is None else fmt.format(v)


def _status_block(status: str) -> str:
    cls = "st missing" if status == MISSING else "st"
    return f'<span class="{cls}">{STATUS_SYMBOLS[status]} {e(STATUS_LABELS[status])}</span>'


def _name(text: str) -> str:
    """The slide's title, smaller as it gets longer so a long name wraps onto two lines, not four."""
    size = " longer" if len(text) > 36 else " long" if len(text) > 18 else ""
    return f'<span class="name{size}">{e(text)}</span>'


def _style(status: str) -> str:
    return f"--c:{STATUS_COLORS[status]};--fg:{STATUS_TEXT_COLORS[status]}"


if mode == "area":
    s = cached.area_slide(ctx, str(order[idx]))
    rows = "".join(
        f"<tr><td>{badge_html(p['status'])}</td><td class='p'>{e(p['name'])}<div class='u'>{e(p['unit'] or '—')}</div></td>"
        f"<td class='r'>{e(p['reason'])}</td></tr>" for p in s["projects"])
    items = (f"<table class='jx-items area'><colgroup><col class='s'><col class='p'><col></colgroup>"
             f"<tr><th>状态</th><th>项目（责任单位）</th><th>原因</th></tr>{rows}</table>"
             if rows else "<div class='jx-reason'>全部项目为绿色。</div>")
    st.markdown(
        f"""<div class="jx-slide" style="{_style(s['status'])}">
<div class="top">{_status_block(s['status'])}{_name(s['area'])}</div>
<div class="meta">部门整体绩效目标领域 · 项目{sum(s['counts'].values())}个 · 最差项目：{e(STATUS_LABELS[s['worst']])}{DEMO_TAG}</div>
<div class="jx-nums">
<div><div class="v">{s['budget']:,.2f}</div><div class="k">预算（万元）</div></div>
<div><div class="v">{s['spent']:,.2f}</div><div class="k">累计支出（万元）</div></div>
<div><div class="v">{_num(s['execution_pct'], '{:.1f}%')}</div><div class="k">执行率（已填报项目）</div></div>
</div>
{chips_html(s['counts'], title='项目状态', unit='', hide_zero=True)}
<div class="jx-reason"><b>原因：</b>{e(s['reason'])}{f"；预算占比：{e(s['shares'])}" if s['shares'] else ''}</div>
{items}
{f"<div class='jx-more'>另有{s['green']}个项目为绿色</div>" if rows and s['green'] else ''}
</div>""",
        unsafe_allow_html=True,
    )
else:
    r = cached.evaluate_one(ctx, int(order[idx]))  # this slide's project, evaluated live
    if r is None:
        st.rerun()  # deleted since the order was read
    assert r is not None
    s = build_slide(r, f, max_items=5)
    rows = "".join(
        f"<tr><td class='n'>{badge_html(i['status'])}</td><td class='i'>{e(i['name'])}</td><td class='n'>{e(i['target'])}</td>"
        f"<td class='n'>{e(i['actual'] or '—')}</td><td class='n'>{e(i['projected'] or '—')}</td><td class='r'>{e(i['reason'])}</td></tr>"
        for i in s["items"])
    items = (f"<table class='jx-items'><tr><th>状态</th><th>指标</th><th>目标</th><th>当前值</th><th>全年预计</th>"
             f"<th>原因</th></tr>{rows}</table>" if rows else "<div class='jx-reason'>全部指标为绿色或未到评价期。</div>")
    more = f"<div class='jx-more'>另有{s['more']}项未显示，详见项目详情。</div>" if s["more"] else ""
    principal = current_principal()
    rect = rectifications(get_engine(), principal, project_ids=[r.project.id], open_only=True)
    more += "".join(f"<div class='jx-more'><b>整改</b>（{e(i.item)}）{e(item_line(i, today_local()))}</div>" for i in rect)
    gap = None if s["execution_pct"] is None or s["expected_pct"] is None else s["execution_pct"] - s["expected_pct"]
    gap_text = "" if gap is None else f"（差{gap:+.1f}个百分点）"
    st.markdown(
        f"""<div class="jx-slide" style="{_style(s['status'])}">
<div class="top">{_status_block(s['status'])}{_name(s['name'])}</div>
<div class="meta">{e(s['unit'] or '—')} · {e(s['area'] or '—')} · {e(s['review'])}{DEMO_TAG}</div>
<div class="jx-nums">
<div><div class="v">{s['budget']:,.2f}</div><div class="k">预算（万元）</div></div>
<div><div class="v">{_num(s['spent'], '{:,.2f}', '未填报')}</div><div class="k">累计支出（万元）</div></div>
<div><div class="v">{_num(s['execution_pct'], '{:.1f}%')}</div><div class="k">执行率</div></div>
<div><div class="v">{_num(s['expected_pct'], '{:.1f}%')}</div><div class="k">计划进度{gap_text}</div></div>
<div><div class="v">{badge_html(s['budget_status'], size='1.6rem')}</div><div class="k">预算执行</div></div>
</div>
{chips_html(s['counts'], title='指标状态（项）', unit='', hide_zero=True)}
<div class="jx-reason"><b>原因：</b>{e(s['reason'])}</div>
{items}{more}
</div>""",
        unsafe_allow_html=True,
    )
    if st.button("打开项目详情", key="meeting_open"):
        open_project(s["id"])
    show_message("meeting_rect")
    if principal.is_admin:
        with st.expander("提出整改事项", icon=":material/assignment_late:"):
            create_form(get_engine(), principal, r, ctx.period_key, source="meeting", key=f"meeting_rect_{r.project.id}",
                        notify="meeting_rect")

# keyboard: ← / → / PageUp / PageDown click the buttons wherever the focus is, except while typing in a
# text field. The listener runs in the capture phase and cancels the key, so a focused radio button or
# toggle (e.g. just after clicking 按领域) does not take the arrow for itself; the focus is dropped. One
# listener per browser tab, replaced on every run.
st.html(
    """<script>
(function () {
  if (window.__jxMeetingKeys) { document.removeEventListener('keydown', window.__jxMeetingKeys, true); }
  const TEXT = ['text', 'search', 'number', 'password', 'email', 'tel', 'url', 'date', 'time'];
  window.__jxMeetingKeys = function (e) {
    const t = e.target;
    if (t && (t.tagName === 'TEXTAREA' || t.isContentEditable || t.getAttribute('role') === 'combobox'
              || (t.tagName === 'INPUT' && TEXT.includes((t.type || 'text').toLowerCase())))) return;
    let label = null;
    if (e.key === 'ArrowRight' || e.key === 'PageDown') label = '下一个';
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') label = '上一个';
    if (!label) return;
    const btn = Array.from(document.querySelectorAll('button')).find(b => b.innerText.includes(label));
    if (!btn) return;
    e.preventDefault();
    e.stopPropagation();
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    btn.click();
  };
  document.addEventListener('keydown', window.__jxMeetingKeys, true);
})();
</script>""",
    unsafe_allow_javascript=True,
)
