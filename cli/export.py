"""export: the risk list, the official monitoring workbook, the self-evaluation preview or the
monitoring report, written to a file. The official outputs carry the signature block: the department,
today's date and, with ``--user NAME``, that account's name, phone and reviewer."""

from __future__ import annotations

import argparse
import os
from datetime import date, datetime

from cli import command, engine_for, err
from cli.errors import os_reason

KINDS = {
    "risks": ("风险清单", ("xlsx", "csv")),
    "monitoring": ("项目支出绩效目标执行监控表", ("xlsx",)),
    "selfeval": ("项目支出绩效自评表", ("xlsx",)),
    "report": ("绩效运行监控报告", ("docx",)),
}


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", default=None, help="导出内容：risks（风险清单）| monitoring（执行监控表）| "
                                                "selfeval（自评表预览）| report（监控报告初稿）")
    p.add_argument("--as-of", dest="as_of", default=None, help="截至日期 YYYY-MM-DD（默认：有数据的最近填报期末）")
    p.add_argument("--year", type=int, default=None, help="预算年度（默认最新）")
    p.add_argument("--project", default=None, help="只导出这个项目（项目名称，可写部分名称）")
    p.add_argument("--format", dest="fmt", default=None, help="文件格式：xlsx | csv | docx（默认按导出内容）")
    p.add_argument("--user", default=None, help="以该账户填写签章栏（填报人、联系电话、审核人；默认留空待手签）")
    p.add_argument("-o", "--output", default=None, help="输出文件路径")


@command("export", "导出风险清单、项目支出绩效目标执行监控表、自评表预览或监控报告初稿", _configure)
def cmd_export(args) -> int:
    kind = (args.kind or "").strip().lower()
    if kind not in KINDS:
        err(f"请用 --kind 指定导出内容：{' | '.join(KINDS)}（收到：{args.kind or '空'}）")
        return 2
    what, formats = KINDS[kind]
    fmt = (args.fmt or formats[0]).strip().lower().lstrip(".")
    if fmt not in formats:
        err(f"{what}不支持格式 {args.fmt}：可用 {' | '.join(formats)}")
        return 2
    if not args.output:
        err("请用 -o 指定输出文件，例如 -o 风险清单.xlsx")
        return 2
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            err(f"日期格式不对：{args.as_of}（应为 YYYY-MM-DD）")
            return 2
    if kind == "report" and args.project:
        err("监控报告是部门整体报告，不能按 --project 导出；单个项目请用 --kind monitoring 或 selfeval")
        return 2
    out_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(out_dir):
        err(f"输出目录不存在：{out_dir}")
        return 2

    from data_access.exports import ProjectNotFound, project_ids_by_name
    from data_access.monitoring import default_as_of_date, fiscal_year_of

    engine = engine_for(args)
    year = fiscal_year_of(engine, args.year)
    if year is None:
        err("数据库中还没有绩效目标：请先导入（python manage.py import-targets 文件）" if args.year is None
            else f"没有{args.year}年度的绩效目标")
        return 1
    as_of = as_of or default_as_of_date(engine, year)
    project_ids = None
    if args.project:
        try:
            project_ids = project_ids_by_name(engine, year, args.project)
        except ProjectNotFound as e:
            err(str(e))
            return 1

    sig = _signature(engine, args.user, year)
    if sig is None:
        err(f"用户不存在或已停用：{args.user}")
        return 1
    data, rows = _build(engine, kind, fmt, year, as_of, project_ids, sig)
    try:
        with open(args.output, "wb") as f:
            f.write(data)
    except OSError as e:
        err(f"无法写入 {args.output}：{os_reason(e)}")
        return 1
    print(f"已导出{what}（{year}年，截至{as_of.isoformat()}，{rows}）：{args.output}")
    return 0


def _signature(engine, user: str | None, year: int):
    """The signature block: the department, today, and the account ``user``'s name, phone and reviewer
    (blank without ``--user``); None when ``user`` names no active account."""
    from data_access.signature import signature_defaults
    from data_access.users import principal_for
    from documents.signature import Signature
    from domain.clock import today_local

    name = (user or "").strip().lower() or None
    if name and principal_for(engine, name) is None:
        return None
    d = signature_defaults(engine, name, year)
    return Signature(d["unit"], d["preparer"], d["reviewer"], d["phone"], today_local())


def _build(engine, kind: str, fmt: str, year: int, as_of: date, project_ids, sig) -> tuple[bytes, str]:
    from data_access.exports import department_spending_series, export_bundle, selfeval_results

    bundle = export_bundle(engine, year, as_of, project_ids)
    if kind == "risks":
        from data_access.views import ViewFilters, risk_frame
        from documents.table_export import export_subtitle, frame_to_csv, frame_to_xlsx

        df = risk_frame(bundle.results, ViewFilters())
        if fmt == "csv":
            return frame_to_csv(df), f"{len(df)}行"
        subtitle = export_subtitle(ViewFilters().describe(), as_of, datetime.now())
        return frame_to_xlsx(df, title="风险清单", subtitle=subtitle, sheet_name="风险清单"), f"{len(df)}行"
    if kind == "monitoring":
        from documents.monitoring_workbook import monitoring_workbook

        return (monitoring_workbook(bundle.results, bundle.meta, as_of, bundle.department, signature=sig),
                f"{len(bundle.results)}个项目")
    if kind == "selfeval":
        from documents.selfeval_workbook import selfeval_workbook

        evals = selfeval_results(engine, year, as_of, results=bundle.results, settings=bundle.settings)
        return (selfeval_workbook(evals, bundle.meta, as_of, bundle.department, year=year, results=bundle.results,
                                  signature=sig),
                f"{len(evals)}个项目")
    from data_access.permissions import SYSTEM_ADMIN
    from data_access.rectification import rectifications
    from documents.report_docx import report_docx
    from domain.clock import today_local

    series = department_spending_series(engine, year, as_of)
    floor = (bundle.settings.year_end_execution_floor * 100.0) if bundle.settings else 90.0
    items = rectifications(engine, SYSTEM_ADMIN, year=year, project_ids=[r.project.id for r in bundle.results])
    return (report_docx(bundle.results, bundle.meta, as_of, bundle.department, year=year, series=series,
                        floor_pct=floor, signature=sig, rectifications=items, today=today_local()),
            f"{len(bundle.results)}个项目")
