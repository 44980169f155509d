"""The official outputs the 报表 page offers, as a list: each is one line of ``OUTPUTS``.

    ReportOutput("monitoring", "执行监控表", "项目支出绩效目标执行监控表", "…", "xlsx", XLSX_MIME, build_monitoring)

``build(request)`` returns the file's bytes for a :class:`ReportRequest` — the year, the as-of date, the
projects of the filter bar (``project_ids``; None = every visible project), the visibility filter and the
signature block. The page renders one row per entry (title, what the file holds, a download button that
builds it on click), so another output joins the page by appending one entry here; nothing on the page
changes. Builders read through ``data_access`` (the permission filter is applied there) and write through
``documents``; they run when the button is clicked, not when the page is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from components.state import get_engine
from data_access.exports import department_spending_series, export_bundle, selfeval_results
from data_access.permissions import SYSTEM_ADMIN
from data_access.rectification import rectifications
from documents.mime import DOCX_MIME, XLSX_MIME
from documents.monitoring_workbook import monitoring_workbook
from documents.report_docx import report_docx
from documents.selfeval_workbook import selfeval_workbook
from documents.signature import Signature
from domain.clock import today_local


@dataclass(frozen=True)
class ReportRequest:
    year: int
    as_of: date
    project_ids: tuple[int, ...] | None  # None: every visible project
    project_filter: object  # the visibility where-clause (None: all)
    signature: Signature

    @property
    def ids(self) -> list[int] | None:
        return list(self.project_ids) if self.project_ids is not None else None


@dataclass(frozen=True)
class ReportOutput:
    key: str  # stable id: widget keys and tests
    short: str  # the button's word: 下载{short}（Excel）
    title: str  # the document's name (card title, file name)
    what: str  # one line on what the file holds
    ext: str  # file extension
    mime: str
    build: Callable[[ReportRequest], bytes]

    def file_name(self, req: ReportRequest) -> str:
        return f"{self.title}_{req.year}年1-{req.as_of.month}月_截至{req.as_of.isoformat()}.{self.ext}"


def _bundle(req: ReportRequest):
    return export_bundle(get_engine(), req.year, req.as_of, req.ids, project_filter=req.project_filter)


def build_monitoring(req: ReportRequest) -> bytes:
    b = _bundle(req)
    return monitoring_workbook(b.results, b.meta, req.as_of, b.department, summary=True, signature=req.signature)


def build_selfeval(req: ReportRequest) -> bytes:
    b = _bundle(req)
    evals = selfeval_results(get_engine(), req.year, req.as_of, results=b.results, settings=b.settings)
    return selfeval_workbook(evals, b.meta, req.as_of, b.department, year=req.year, summary=True,
                             signature=req.signature, results=b.results)


def build_report(req: ReportRequest) -> bytes:
    b = _bundle(req)
    series = department_spending_series(get_engine(), req.year, req.as_of, req.ids, project_filter=req.project_filter)
    floor = b.settings.year_end_execution_floor * 100.0 if b.settings else 90.0
    items = rectifications(get_engine(), SYSTEM_ADMIN, year=req.year, project_ids=[r.project.id for r in b.results])
    return report_docx(b.results, b.meta, req.as_of, b.department, year=req.year, series=series, floor_pct=floor,
                       signature=req.signature, rectifications=items, today=today_local())


OUTPUTS: list[ReportOutput] = [
    ReportOutput("monitoring", "执行监控表", "项目支出绩效目标执行监控表", "汇总表和每个项目一张表（年初预算数与调整后预算数、执行率、"
                 "各项指标的执行情况、偏差原因和完成可能性）", "xlsx", XLSX_MIME, build_monitoring),
    ReportOutput("selfeval", "自评表预览", "项目支出绩效自评表预览", "汇总表和每个项目一张自评表（全年预算数按调整后预算数，"
                 "年度中期按全年预计值预估得分）", "xlsx", XLSX_MIME, build_selfeval),
    ReportOutput("report", "监控报告", "项目支出绩效运行监控报告", "部门监控报告（公文格式，含部门累计支出图、预算和指标调整情况、"
                 "偏差原因和纠偏措施）", "docx", DOCX_MIME, build_report),
]


__all__ = ["ReportRequest", "ReportOutput", "OUTPUTS", "build_monitoring", "build_selfeval", "build_report"]
