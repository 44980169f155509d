"""Read models: evaluated statuses (``data_access.monitoring.evaluate``) as the tables, numbers and
slides the pages show and the exports write. Pure: no Streamlit, no database; the cached wrappers in
``components.cached`` feed them.

One module per page concern:

* ``filters`` — ``ViewFilters``, ``filter_projects``, status words and shapes, the as-of periods offered;
* ``tables`` — the project, risk and indicator tables (what 风险清单, 项目详情 and the exports show);
* ``overview`` — 总览's headline, status matrix and changes since the previous period;
* ``rollups`` — areas, 主管部门, units and the department rolled up (colour by the settings, worst-of, shares);
* ``project`` — 项目详情's order (previous/next), spending points and statuses across periods;
* ``search`` — the grids' 「筛选」 box on a frame in memory;
* ``links`` — the query string of a view (page state in the URL);
* ``meeting`` — 会议模式's order and slides;
* ``reporting`` — 填报进度's missing values per item and per unit;
* ``rectification`` — 整改: the matters an item can be raised for, the items as a table, the risk
  list's 整改 column.

Import from the package (``from data_access.views import ViewFilters, risk_frame, status_text``); the
module layout is not part of the interface.
"""

from data_access.views.filters import (
    BUDGET_GROUP,
    REVIEW_APPROVED,
    REVIEW_CHOICES,
    REVIEW_UNAPPROVED,
    STATUS_ICONS,
    ViewFilters,
    as_of_label,
    default_period,
    filter_projects,
    format_actual,
    period_option_label,
    period_options,
    period_short_label,
    periods_having_data,
    previous_period,
    shown_indicators,
    status_text,
    units_under,
)
from data_access.views.links import is_view_link, params_from_view, view_from_params, view_signature
from data_access.views.meeting import (
    ATTENTION,
    ATTENTION_DEFAULT_FROM,
    area_order,
    build_area_slide,
    build_slide,
    meeting_order,
)
from data_access.views.overview import (
    CHANGE_COLUMNS,
    CHANGE_ORDER,
    build_changes,
    build_headline,
    build_matrix,
    change_kind,
    change_row,
    changes_frame,
    headline_numbers,
    matrix_columns,
    matrix_wide,
)
from data_access.views.project import (
    HISTORY_COLUMNS,
    ProjectChoices,
    actual_points,
    changes_until,
    history_periods,
    neighbours,
    plan_points,
    project_history_frame,
    project_order,
)
from data_access.views.rectification import (
    RECT_COLUMN,
    Matter,
    item_line,
    items_frame,
    matters,
    with_rectifications,
)
from data_access.views.reporting import (
    REPORT_ITEM_COLUMNS,
    REPORT_UNIT_COLUMNS,
    build_progress,
    build_reporting,
    deadline_text,
)
from data_access.views.rollups import (
    AREA_COLUMNS,
    DEPARTMENT_COLUMNS,
    UNIT_COLUMNS,
    GroupSums,
    areas_frame,
    build_areas,
    build_departments,
    build_units,
    department_rollup,
    department_rollup_of,
    departments_frame,
    units_frame,
)
from data_access.views.search import filter_frame
from data_access.views.tables import (
    INDICATOR_COLUMNS,
    KEEP_IN_VIEW,
    PROJECT_COLUMNS,
    RISK_COLUMNS,
    RISK_STATUSES,
    budget_texts,
    counts_frame,
    indicator_texts,
    indicators_frame,
    projects_status_frame,
    reason_beside_status,
    risk_frame,
)

__all__ = [
    # filters
    "BUDGET_GROUP", "REVIEW_APPROVED", "REVIEW_CHOICES", "REVIEW_UNAPPROVED",
    "STATUS_ICONS", "ViewFilters", "as_of_label", "default_period", "filter_projects",
    "format_actual", "period_option_label", "period_options", "period_short_label", "periods_having_data",
    "previous_period", "shown_indicators", "status_text", "units_under",
    # tables
    "filter_frame",
    "budget_texts", "indicator_texts",
    "INDICATOR_COLUMNS", "KEEP_IN_VIEW", "PROJECT_COLUMNS", "RISK_COLUMNS", "RISK_STATUSES", "counts_frame", "indicators_frame",
    "projects_status_frame", "reason_beside_status", "risk_frame",
    # overview
    "AREA_COLUMNS", "CHANGE_COLUMNS", "CHANGE_ORDER", "build_areas", "build_changes", "build_headline",
    "build_matrix", "matrix_columns", "matrix_wide", "change_kind", "change_row", "changes_frame", "headline_numbers",
    # rollups
    "UNIT_COLUMNS", "DEPARTMENT_COLUMNS", "GroupSums", "areas_frame", "build_departments", "build_units",
    "department_rollup", "department_rollup_of", "departments_frame",
    "units_frame",
    # project
    "HISTORY_COLUMNS", "ProjectChoices", "actual_points", "changes_until", "history_periods", "neighbours", "plan_points",
    "project_history_frame", "project_order",
    # links
    "is_view_link", "params_from_view", "view_from_params", "view_signature",
    # meeting
    "ATTENTION", "ATTENTION_DEFAULT_FROM", "area_order", "build_area_slide", "build_slide", "meeting_order",
    # reporting
    "REPORT_ITEM_COLUMNS", "REPORT_UNIT_COLUMNS", "build_reporting", "build_progress", "deadline_text",
    # rectification
    "RECT_COLUMN", "Matter", "item_line", "items_frame", "matters", "with_rectifications",
]
