"""Building a 上报 snapshot: the data, the statuses and the official files of one period at one data revision,
handed to ``data_access.review.snapshots.store_snapshot``. No Streamlit: 填报期管理 and the tests call it.

Definitions chosen here:

* The figures are those the status engine sees at the period's end (``data_access.exports.export_bundle``:
  every project of the year, with its review state), the same as the official workbook prints.
* ``data`` holds per project the entered values (spending and every indicator's values and explanations)
  and its review state; ``statuses`` the engine's status and reason of the project, its budget row and each
  indicator. Files: 项目支出绩效目标执行监控表 (.xlsx), the project status table (.xlsx, with 审核), and
  both JSON documents (.json, UTF-8).
* The revision is read before anything else; when a write lands meanwhile the store refuses and the
  build is repeated (at most three times).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from data_access.db import current_revision
from data_access.exports import export_bundle
from data_access.permissions import Principal
from data_access.review.snapshots import DataChanged, SnapshotFile, store_snapshot
from data_access.views import ViewFilters, projects_status_frame
from documents.mime import XLSX_MIME
from documents.monitoring_workbook import monitoring_workbook
from documents.table_export import frame_to_xlsx
from domain import review as R
from domain.periods import parse_period
from domain.status import ProjectStatus

JSON_MIME = "application/json"


@dataclass(frozen=True)
class ReportBuild:
    period_code: str
    revision: int
    data: dict
    statuses: dict
    files: tuple[SnapshotFile, ...]
    projects: int
    approved: int


def _plain(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return None
    return v


def _project_data(r: ProjectStatus) -> dict:
    p = r.project
    return {
        "id": p.id, "name": p.name, "unit": p.unit, "area": p.area, "budget_wan": p.budget_wan,
        "spent_wan": p.spent_wan, "projected_spent_wan": p.projected_spent_wan, "review": p.review or R.DRAFT,
        "indicators": [{k: _plain(v) for k, v in asdict(i).items() if k != "target"} | {"target": i.target.raw}
                       for i in p.indicators],
    }


def _project_statuses(r: ProjectStatus) -> dict:
    return {
        "id": r.project.id, "name": r.project.name, "status": r.status, "reason": r.reason,
        "budget": {"status": r.budget.status, "reason": r.budget.reason, "execution_pct": r.budget.execution_pct},
        "indicators": [{"id": s.indicator.id, "name": s.indicator.level3, "status": s.status, "reason": s.reason}
                       for s in r.indicators],
    }


def build_report(engine: Engine, period_code: str) -> ReportBuild:
    """Everything one 上报 of ``period_code`` stores, read at one revision."""
    revision = current_revision(engine)
    period = parse_period(period_code)
    bundle = export_bundle(engine, period.year, period.end)
    approved = sum(1 for r in bundle.results if r.project.review == R.APPROVED)
    head = {"period": period.key, "label": period.label, "as_of": period.end.isoformat(), "year": period.year,
            "department": bundle.department}
    data = {**head, "projects": [_project_data(r) for r in bundle.results]}
    statuses = {**head, "projects": [_project_statuses(r) for r in bundle.results]}
    table = projects_status_frame(bundle.results, ViewFilters())
    stem = f"{period.label}上报"
    files = (
        SnapshotFile(f"{stem}_项目支出绩效目标执行监控表.xlsx", XLSX_MIME,
                     monitoring_workbook(bundle.results, bundle.meta, period.end, bundle.department)),
        SnapshotFile(f"{stem}_项目状态.xlsx", XLSX_MIME,
                     frame_to_xlsx(table, title=f"{period.label}上报：项目状态", sheet_name="项目状态",
                                   subtitle=f"截至{period.end.isoformat()}；已审核{approved}个，共{len(bundle.results)}个项目")),
        SnapshotFile(f"{stem}_数据与状态.json", JSON_MIME,
                     json.dumps({"data": data, "statuses": statuses}, ensure_ascii=False, indent=1).encode("utf-8")),
    )
    return ReportBuild(period.key, revision, data, statuses, files, len(bundle.results), approved)


def report_period(engine: Engine, by: Principal, period_code: str, *, note: str = "",
                  allow_unapproved: bool = False) -> tuple[int, ReportBuild]:
    """Build and store one 上报 (repeated when a write lands meanwhile); returns (第N次, what was stored)."""
    for attempt in range(3):
        build = build_report(engine, period_code)
        try:
            seq = store_snapshot(engine, by, build.period_code, revision=build.revision, data=build.data,
                                 statuses=build.statuses, files=build.files, projects=build.projects,
                                 approved=build.approved, note=note, allow_unapproved=allow_unapproved)
        except DataChanged:
            if attempt == 2:
                raise
            continue
        return seq, build
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = ["ReportBuild", "build_report", "report_period"]
