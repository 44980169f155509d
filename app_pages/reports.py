"""报表 (admin and leader): the official outputs for the as-of date and the projects of the filter bar —
the department 执行监控表 workbook, the 自评表 preview and the 监控报告 — each with the signature block, and
the as-of period's 佐证材料 as one ZIP (``components.evidence``). The list of outputs is
``components.report_outputs.OUTPUTS``; every file is built when its button is clicked."""

import streamlit as st

from components import cached
from components.auth import current_principal
from components.evidence import evidence_zip_button
from components.filters import caption
from components.page import leadership_page
from components.report_outputs import OUTPUTS, ReportOutput, ReportRequest
from components.signature import signature_panel
from components.state import get_engine

ctx = leadership_page("报表", groups=False)
caption(ctx.as_of, ctx.filters)
shown = cached.project_choices(ctx).order
f = ctx.filters
narrowed = bool(f.areas or f.departments or f.units or f.statuses)
if not shown:
    st.info("没有符合筛选条件的项目。请调整左侧的筛选条件。")
    st.stop()
st.markdown(f"按左侧筛选条件，共 **{len(shown)}** 个项目" + ("（全部项目）。" if not narrowed else "。")
            + "每份报表末尾有签章栏，可在下方修改后再下载。")
signature = signature_panel(ctx.year)
request = ReportRequest(ctx.year, ctx.as_of, tuple(shown) if narrowed else None,
                        ctx.project_filter, signature)



def _builder(out: ReportOutput):
    return lambda: out.build(request)


for out in OUTPUTS:
    with st.container(border=True):
        left, right = st.columns([3, 1.2], vertical_alignment="center")
        left.markdown(f"**{out.title}**  \n{out.what}")
        right.download_button(
            f"下载{out.short}（{'Excel' if out.ext == 'xlsx' else 'Word'}）", data=_builder(out),
            file_name=out.file_name(request), mime=out.mime, key=f"report_{out.key}", on_click="ignore",
            icon=":material/download:", width="stretch")

with st.container(border=True):
    left, right = st.columns([3, 1.2], vertical_alignment="center")
    left.markdown("**佐证材料**  \n截至日所在填报期、上述项目的全部佐证材料：按“[项目编码]单位-项目/指标/文件”分文件夹，"
                  "附佐证材料清单（ZIP，供财政抽查）")
    with right:
        evidence_zip_button(get_engine(), current_principal(), ctx.period_key, project_ids=shown if narrowed else None,
                            key="report_evidence")
