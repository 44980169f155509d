"""Roll-ups of areas, units and the department (docs/rules.md §6.2), table-driven: the colour a leader
sees for a group of projects, the Chinese reason it prints, the worst-of view kept beside it and each
status's share of the budget."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.views import ViewFilters, build_area_slide, build_areas, build_units, department_rollup
from domain.settings import Settings
from domain.status import (
    AMBER,
    GREEN,
    GREY,
    MISSING,
    RED,
    BudgetStatus,
    ProjectInput,
    ProjectStatus,
    rollup,
    share_text,
)

BY_BUDGET, BY_COUNT, WORST = Settings(), Settings(rollup_rule="count"), Settings(rollup_rule="worst")


def group(*projects: tuple[str, float], unit: str = "教育科", area: str = "学校管理") -> list[ProjectStatus]:
    """Projects as (status, budget in 万元)."""
    return [ProjectStatus(ProjectInput(i, f"项目{i}", unit=unit, area=area, budget_wan=b), s, f"项目{i}原因",
                          BudgetStatus(s, "预算原因"), [])
            for i, (s, b) in enumerate(projects)]


# (case, projects, settings, colour, worst-of, the reason must contain, the budget shares text)
CASES = [
    # the measured problem: one small red project among large green ones turns nothing red by budget
    ("small-red-among-green", group((RED, 8), (GREEN, 92)), BY_BUDGET, GREEN, RED,
     ["按预算占比", "已评价预算中红、未填报和黄合计占8.0%", "<20%", "判为绿"], "红8.0% 绿92.0%"),
    ("same-by-worst-of", group((RED, 8), (GREEN, 92)), WORST, RED, RED, ["按最差项目", "1个项目为红"], "红8.0% 绿92.0%"),
    ("same-by-count", group((RED, 8), (GREEN, 92)), BY_COUNT, RED, RED,
     ["按项目数占比", "已评价项目中红占50.0%", "≥30%", "判为红"], "红8.0% 绿92.0%"),
    # the red line (30 % of the judged budget in red projects) and the amber line (20 % off track)
    ("red-at-30", group((RED, 30), (GREEN, 70)), BY_BUDGET, RED, RED, ["红占30.0%（≥30%）", "判为红"], "红30.0% 绿70.0%"),
    ("red-below-30-is-amber", group((RED, 29.9), (GREEN, 70.1)), BY_BUDGET, AMBER, RED,
     ["红、未填报和黄合计占29.9%（≥20%）", "判为黄"], "红29.9% 绿70.1%"),
    ("amber-at-20", group((AMBER, 20), (GREEN, 80)), BY_BUDGET, AMBER, AMBER, ["合计占20.0%（≥20%）"], "黄20.0% 绿80.0%"),
    ("green-below-20", group((AMBER, 19.9), (GREEN, 80.1)), BY_BUDGET, GREEN, AMBER, ["合计占19.9%（<20%）", "判为绿"],
     "黄19.9% 绿80.1%"),
    # amber projects never make a red roll-up, however many
    ("all-amber", group((AMBER, 60), (AMBER, 40)), BY_BUDGET, AMBER, AMBER, ["合计占100.0%"], "黄100.0%"),
    # red and 未填报 together: the data is what is lacking
    ("missing-with-red", group((RED, 10), (MISSING, 25), (GREEN, 65)), BY_BUDGET, MISSING, RED,
     ["红和未填报合计占35.0%（≥30%）", "判为未填报"], "红10.0% 未填报25.0% 绿65.0%"),
    # grey projects (not due yet) are not judged: the colour rests on the rest; their share is shown
    ("grey-left-out", group((RED, 15), (GREEN, 35), (GREY, 50)), BY_BUDGET, RED, RED, ["已评价预算中红占30.0%"],
     "红15.0% 绿35.0% 灰50.0%"),
    ("all-grey", group((GREY, 10), (GREY, 20)), BY_BUDGET, GREY, GREY, ["2个项目均未到评价时点"], "灰100.0%"),
    ("no-project", [], BY_BUDGET, GREY, GREY, ["无项目"], ""),
    # judged projects without a budget: weighed by count
    ("no-budget-counts", group((RED, 0), (GREEN, 0), (GREEN, 0)), BY_BUDGET, RED, RED, ["已评价项目中红占33.3%"], ""),
    # the lines are settings
    ("lines-are-settings", group((RED, 15), (GREEN, 85)), Settings(rollup_red_share=0.1, rollup_amber_share=0.05),
     RED, RED, ["红占15.0%（≥10%）"], "红15.0% 绿85.0%"),
]


@pytest.mark.parametrize("case, projects, settings, colour, worst_of, fragments, shares", CASES,
                         ids=[c[0] for c in CASES])
def test_rollup_colour_and_reason(case, projects, settings, colour, worst_of, fragments, shares):
    r = rollup(projects, settings)
    assert (r.status, r.worst) == (colour, worst_of), r.reason
    for text in fragments:
        assert text in r.reason, r.reason
    assert share_text(r) == shares


def test_rollup_counts_and_budgets_per_status():
    r = rollup(group((RED, 10), (RED, 5), (MISSING, 25), (GREEN, 60)))
    assert (r.counts[RED], r.counts[MISSING], r.counts[GREEN]) == (2, 1, 1)
    assert r.budgets[RED] == 15 and r.budget_total == 100
    assert r.shares is not None and r.shares[RED] == pytest.approx(0.15)


@pytest.mark.parametrize("changes, message", [
    (dict(rollup_rule="majority"), "汇总颜色依据须为按预算占比、按项目数占比、按最差项目之一"),
    (dict(rollup_amber_share=0.4), "汇总档位须满足 0 < 黄色线（40.0%）≤ 红色线（30.0%）≤ 100%"),
    (dict(rollup_red_share=0.0, rollup_amber_share=0.0), "汇总档位须满足"),
])
def test_invalid_rollup_settings_give_chinese_messages(changes, message):
    assert any(message in e for e in Settings().with_changes(**changes).validate())


# --------------------------------------------------------------------------- where roll-ups are shown

AREAS = pd.DataFrame([{"seq": 1, "name": "学校管理", "goal": "", "indicator_text": "", "targets": []},
                      {"seq": 2, "name": "公共卫生", "goal": "", "indicator_text": "", "targets": []}])
CITY = (group((RED, 8), (GREEN, 92), unit="教育科", area="学校管理")
        + group((RED, 40), (AMBER, 10), (GREEN, 50), unit="卫生健康科", area="公共卫生"))


def test_area_table_shows_the_colour_its_reason_the_worst_of_and_the_shares():
    df = build_areas(CITY, AREAS, ViewFilters()).set_index("领域")
    school, health = df.loc["学校管理"], df.loc["公共卫生"]
    assert (school["状态"], school["最差项目"]) == ("● 绿", "▲ 红")
    assert "红、未填报和黄合计占8.0%" in school["原因"]
    assert (school["红占预算%"], school["绿占预算%"], school["红"], school["绿"]) == (8.0, 92.0, 1, 1)
    assert (health["状态"], health["红占预算%"], health["黄占预算%"]) == ("▲ 红", 40.0, 10.0)
    # worst-of for everything, as before, when the leadership choose it
    worst = build_areas(CITY, AREAS, ViewFilters(), WORST).set_index("领域")
    assert list(worst["状态"]) == ["▲ 红", "▲ 红"]


def test_units_come_worst_first_with_their_shares():
    df = build_units(CITY, ViewFilters())
    assert list(df["责任单位"]) == ["卫生健康科", "教育科"]
    assert list(df["状态"]) == ["▲ 红", "● 绿"] and list(df["最差项目"]) == ["▲ 红", "▲ 红"]
    assert list(df["红占预算%"]) == [40.0, 8.0]


def test_department_and_area_slide_say_the_shares():
    dept = department_rollup(CITY, ViewFilters())
    assert dept["status"] == AMBER and dept["worst"] == RED
    assert dept["shares"] == "红24.0% 黄5.0% 绿71.0%"
    slide = build_area_slide(CITY, "公共卫生", ViewFilters())
    assert (slide["status"], slide["worst"], slide["shares"]) == (RED, RED, "红40.0% 黄10.0% 绿50.0%")
    assert "红占40.0%" in slide["reason"]


def test_the_area_export_carries_the_colour_the_worst_project_and_the_shares():
    import io

    from openpyxl import load_workbook

    from documents.table_export import frame_to_csv, frame_to_xlsx
    from documents.xlsx_style import STATUS_COLOURS

    df = build_areas(CITY, AREAS, ViewFilters())
    ws = load_workbook(io.BytesIO(frame_to_xlsx(df, title="分领域状态", sheet_name="分领域状态"))).active
    header = [c.value for c in ws[3]]
    assert {"状态", "原因", "最差项目", "红占预算%", "黄占预算%", "未填报占预算%", "绿占预算%"} <= set(header)
    row = {h: ws.cell(4, i + 1) for i, h in enumerate(header)}  # 学校管理: green by budget, a red project in it
    assert row["领域"].value == "学校管理" and row["红占预算%"].value == 8.0
    assert row["状态"].fill.fgColor.rgb.endswith(STATUS_COLOURS[GREEN][0])
    assert row["最差项目"].fill.fgColor.rgb.endswith(STATUS_COLOURS[RED][0]) and row["最差项目"].value == "▲ 红"
    assert "红、未填报和黄合计占8.0%" in row["原因"].value
    csv = frame_to_csv(df).decode("utf-8-sig")
    assert "红占预算%" in csv.splitlines()[0] and "_worst" not in csv
