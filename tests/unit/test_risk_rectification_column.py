"""The risk list's 整改 column: after 事项 whether or not the list is empty (the screen and the Excel export
have the same columns), each row showing the open items of its own matter and of its project as a whole."""

from datetime import date, datetime

import pandas as pd
import pytest

from data_access.rectification import RectItem
from data_access.views import RISK_COLUMNS, with_rectifications
from domain import rectification as R

TODAY = date(2024, 10, 8)
EXPECTED_COLUMNS = ["_project_id", "_indicator_id", *RISK_COLUMNS[:RISK_COLUMNS.index("事项") + 1], "整改",
                    *RISK_COLUMNS[RISK_COLUMNS.index("事项") + 1:]]


def item(id_: int, project_id: int, indicator_id: int | None, target: str, state: str, requirement: str) -> RectItem:
    return RectItem(id=id_, project_id=project_id, project_name="项目", project_unit="教育科", indicator_id=indicator_id,
                    target=target, item="事项", unit_id=1, unit_name="教育科", period_code="2024Q3", source="risks",
                    trigger_status="red", trigger_reason="", requirement=requirement, deadline=date(2024, 10, 20),
                    state=state, measures="", result="", note="", created_by="admin", created_at=datetime(2024, 10, 1),
                    answered_by=None, answered_at=None, closed_by=None, closed_at=None, version=1)


def risk_rows(rows: list[tuple[int, int | None]]) -> pd.DataFrame:
    data = {c: ["x"] * len(rows) for c in RISK_COLUMNS}
    return pd.DataFrame({"_project_id": [p for p, _ in rows], "_indicator_id": [i for _, i in rows], **data})


@pytest.mark.parametrize("rows", [[], [(1, None)]], ids=["empty list", "one row"])
def test_the_column_follows_the_matter(rows):
    out = with_rectifications(risk_rows(rows), [], TODAY)
    assert list(out.columns) == EXPECTED_COLUMNS


@pytest.mark.parametrize(("items", "expected"), [
    ([], ["", "", ""]),
    ([item(1, 1, 11, "indicator", R.OPEN, "补齐验收")], ["", "待整改：补齐验收（期限2024-10-20，还剩12天）", ""]),
    ([item(2, 1, None, "project", R.ANSWERED, "加快支出")],
     ["待核验：加快支出（期限2024-10-20，还剩12天）"] * 2 + [""]),
    ([item(3, 2, None, "budget", R.OPEN, "调整计划"), item(4, 2, None, "budget", R.CLOSED, "已完成的不显示")],
     ["", "", "待整改：调整计划（期限2024-10-20，还剩12天）"]),
], ids=["no items", "an indicator's item on its row only", "a project's item on every row of the project",
        "a closed item is not shown"])
def test_each_row_shows_its_open_items(items, expected):
    out = with_rectifications(risk_rows([(1, None), (1, 11), (2, None)]), items, TODAY)
    assert list(out["整改"]) == expected
