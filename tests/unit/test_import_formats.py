"""The same target document read from .docx and .xlsx gives the same TargetDocument as the text export;
the cell quirks of each format (merges, operators in separate cells, number formats) and broken files."""

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict
from datetime import datetime

import pytest

from documents.assemble import Paragraph, Row
from documents.targets_export import cn_number, document_to_docx, document_to_xlsx
from documents.targets_io import DocumentError, read_target_document
from documents.targets_xlsx import tokenize_xlsx
from domain.document import INDICATOR_HEADER


def _content(doc) -> dict:
    """Everything read from the document except where it was read (line numbers differ by format)."""
    d = asdict(doc)
    for p in d["projects"] + d["tables"]:
        for i in p["indicators"] + p["rejected"]:
            i.pop("place")
    return d


@pytest.fixture(scope="module")
def docx_bytes(seed_doc) -> bytes:
    return document_to_docx(seed_doc)


@pytest.fixture(scope="module")
def xlsx_bytes(seed_doc) -> bytes:
    return document_to_xlsx(seed_doc)


@pytest.fixture(params=["docx", "xlsx"])
def reread(request, docx_bytes, xlsx_bytes):
    data = docx_bytes if request.param == "docx" else xlsx_bytes
    return read_target_document(data, f"2024目标.{request.param}", 2024)


# --------------------------------------------------------------------------- round trip of the seed


def test_round_trip_counts(reread):
    assert reread.problems == []
    assert len(reread.projects) == 32
    assert reread.indicator_count == 203
    assert reread.budget_total == pytest.approx(9982.79)
    assert len(reread.areas) == 13


def test_round_trip_equals_the_text_import(reread, seed_doc):
    a, b = _content(seed_doc), _content(reread)
    assert b["projects"] == a["projects"]  # names, titles, purposes, budgets, plans, goals, indicators
    assert b["areas"] == a["areas"]  # including the prose targets found in 绩效指标
    assert b == a


def test_round_trip_every_indicator_cell_and_target(reread, seed_doc):
    pairs = [
        (x, y)
        for p, q in zip(seed_doc.projects, reread.projects, strict=True)
        for x, y in zip(p.indicators, q.indicators, strict=True)
    ]
    assert len(pairs) == 203
    for x, y in pairs:
        cells = lambda i: (i.level1, i.level2, i.level3, i.description, i.target_text, i.basis)  # noqa: E731
        assert cells(y) == cells(x), x.place
        assert y.target == x.target, x.place


def test_places_point_into_the_file(reread):
    first = reread.projects[0].indicators[0]
    assert first.place.startswith("「区本课程经费项目绩效目标表」")
    assert "行" in first.place


def test_docx_layout_uses_merges(docx_bytes):
    xml = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:tbl>") == 32
    assert '<w:vMerge w:val="restart"/>' in xml and "<w:vMerge/>" in xml
    assert '<w:gridSpan w:val="5"/>' in xml


def test_xlsx_plan_values_are_percent_numbers(xlsx_bytes):
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes)).active
    cells = [c for row in ws.iter_rows() for c in row if c.number_format.endswith("%")]
    assert len(cells) == 32 * 4
    assert all(isinstance(c.value, (int, float)) and 0 <= c.value <= 1 for c in cells)


def test_cn_number():
    assert [cn_number(n) for n in (1, 9, 10, 11, 13, 20, 21, 99)] == ["一", "九", "十", "十一", "十三", "二十", "二十一", "九十九"]


# --------------------------------------------------------------------------- hand-built files


def _docx(*blocks) -> bytes:
    """A .docx from strings (paragraphs) and lists of rows (tables)."""
    import docx

    d = docx.Document()
    for b in blocks:
        if isinstance(b, str):
            d.add_paragraph(b)
            continue
        width = max(len(r) for r in b)
        t = d.add_table(rows=len(b), cols=width)
        for r, cells in enumerate(b):
            for c, text in enumerate(cells):
                t.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _project_rows(header=INDICATOR_HEADER, indicators=None):
    rows = [
        ["项目编码", "", "项目名称", "测试项目"],
        ["项目资金主要用途", "预算数10万元。其中：财政资金10万元。"],
        ["资金支出计划", "第一季度", "第二季度", "第三季度", "第四季度"],
        ["", "10%", "20%", "50%", "100%"],
        ["绩效目标", "目标1：完成测试。"],
        list(header),
    ]
    rows += indicators or [
        ["产出指标", "数量指标", "测试次数", "完成测试", "≥3次", "计划"],
        ["", "质量指标", "测试质量", "合格", "≥90%", "经验"],
    ]
    return rows


def _xlsx(rows_by_sheet: dict[str, list[list]], formats: dict[tuple[str, str], str] | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in rows_by_sheet.items():
        ws = wb.create_sheet(name)
        for r, cells in enumerate(rows, start=1):
            for c, v in enumerate(cells, start=1):
                if v is not None and v != "":
                    ws.cell(row=r, column=c, value=v)
        for (sheet, ref), fmt in (formats or {}).items():
            if sheet == name:
                ws[ref].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_hand_built_docx_reads():
    doc = read_target_document(_docx("测试项目绩效目标表", _project_rows()), "t.docx", 2024)
    assert doc.problems == []
    (p,) = doc.projects
    assert (p.name, p.title, p.budget_wan) == ("测试项目", "测试项目绩效目标表", 10)
    assert [c.cumulative_pct for c in p.plan] == [10, 20, 50, 100]
    assert [(i.level1, i.level2, i.target.op, i.target.value, i.target.unit) for i in p.indicators] == [
        ("产出指标", "数量指标", ">=", 3, "次"),
        ("产出指标", "质量指标", ">=", 90, "%"),
    ]


def test_docx_table_without_value_column_names_the_table_and_row():
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "目标", "指标值确定依据"]
    data = _docx("前言", "甲项目绩效目标表", _project_rows(header=header))
    doc = read_target_document(data, "t.docx", 2024)
    problem = next(p for p in doc.problems if "指标值" in p.message)
    assert "甲项目绩效目标表" in problem.place
    assert "第1个表格" in problem.place and "第6行" in problem.place
    assert doc.projects == []


def test_docx_merged_cells():
    """gridSpan cells come out once; a vMerge continuation cell comes out empty (= same as above)."""
    import docx

    from documents.targets_docx import tokenize_docx

    d = docx.Document()
    d.add_paragraph("合并项目绩效目标表")
    rows = _project_rows(indicators=[["产出指标", "数量指标", f"指标{k}", "描述", f"≥{k}个", "依据"] for k in (1, 2, 3)])
    t = d.add_table(rows=len(rows), cols=6)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            t.cell(r, c).text = text
    n = len(rows)
    # 一级 and 二级 merged over the three indicator rows, the budget sentence over five columns
    t.cell(n - 3, 0).merge(t.cell(n - 1, 0)).text = "产出指标"
    t.cell(n - 3, 1).merge(t.cell(n - 1, 1)).text = "数量指标"
    t.cell(1, 1).merge(t.cell(1, 5)).text = "预算数10万元。"
    buf = io.BytesIO()
    d.save(buf)
    items = tokenize_docx(buf.getvalue())
    table_rows = [i for i in items if isinstance(i, Row)]
    assert table_rows[1].cells == ["项目资金主要用途", "预算数10万元。", "", "", "", ""]  # on the grid
    assert [r.cells[:3] for r in table_rows[-3:]] == [["产出指标", "数量指标", "指标1"], ["", "", "指标2"], ["", "", "指标3"]]
    assert all(len(r.cells) == 6 for r in table_rows[-3:])
    assert [(r.line, r.source) for r in table_rows[:2]] == [(1, "第1个表格"), (2, "第1个表格")]
    doc = read_target_document(buf.getvalue(), "m.docx", 2024)
    assert doc.problems == []
    assert [(i.level1, i.level2, i.target.value) for i in doc.projects[0].indicators] == [("产出指标", "数量指标", k) for k in (1, 2, 3)]


def test_docx_multi_paragraph_cell_and_symbol_font():
    import docx
    from docx.oxml import parse_xml

    from documents.targets_docx import tokenize_docx

    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "目标1：甲"
    t.cell(0, 0).add_paragraph("目标2：乙")
    p = t.cell(0, 1).paragraphs[0]
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p._p.append(parse_xml(f'<w:r {ns}><w:sym w:font="Symbol" w:char="F0B3"/><w:t>90%</w:t></w:r>'))
    buf = io.BytesIO()
    d.save(buf)
    (row,) = [i for i in tokenize_docx(buf.getvalue()) if isinstance(i, Row)]
    assert row.cells == ["目标1：甲\n目标2：乙", "≥90%"]


def test_xlsx_operators_in_separate_cells():
    # 指标值 merged over three columns, and 绩效指标描述 over two (text in the first of them)
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", None, "指标值", None, None, "指标值确定依据"]
    rows = _project_rows(header=header, indicators=[
        ["产出指标", "质量指标", "合格率", "抽检合格", None, "≥", 90, "%", "标准"],
        ["", "数量指标", "人数", "服务人数", None, "不少于", 71, "人", "计划"],
        ["", "成本指标", "单价", "每块成本", None, "≤ ", 3, "万/块", ""],
    ])
    doc = read_target_document(_xlsx({"目标表": [["分隔项目绩效目标表"], *rows]}), "t.xlsx", 2024)
    assert doc.problems == []
    inds = doc.projects[0].indicators
    assert [(i.target_text, i.target.op, i.target.value, i.target.unit) for i in inds] == [
        ("≥90%", ">=", 90, "%"),
        ("不少于71人", ">=", 71, "人"),
        ("≤3万/块", "<=", 3, "万元/块"),
    ]
    assert [i.description for i in inds] == ["抽检合格", "服务人数", "每块成本"]
    assert inds[2].basis == ""  # an empty last cell is still the sixth cell


def test_xlsx_number_formats_and_dates():
    rows = _project_rows(indicators=[
        ["产出指标", "质量指标", "达标率", "达标", 0.9, "标准"],
        ["", "数量指标", "场次", "活动场次", 12.0, "计划"],
        ["", "时效指标", "完成时间", "按时完成", datetime(2024, 12, 31), "计划"],
        ["", "成本指标", "单价", "单价", 165.2, "预算"],
    ])
    rows[3] = ["", 0.1, 0.25, 0.5, 1]  # plan values as percentages
    n = len(rows) + 1  # the title is row 1
    formats = {("S", f"E{n - 3}"): "0%", **{("S", f"{c}5"): "0%" for c in "BCDE"}}
    data = _xlsx({"S": [["数字项目绩效目标表"], *rows]}, formats)
    items = tokenize_xlsx(data)
    assert isinstance(items[0], Row) and items[0].cells == ["数字项目绩效目标表"]  # a paragraph for assemble
    assert [r.cells[4] for r in items[-4:]] == ["90%", "12", "2024年12月31日", "165.2"]
    doc = read_target_document(data, "t.xlsx", 2024)
    assert doc.problems == []
    p = doc.projects[0]
    assert [c.cumulative_pct for c in p.plan] == [10, 25, 50, 100]
    t = [i.target for i in p.indicators]
    assert (t[0].op, t[0].value, t[0].unit) == (">=", 90, "%")
    assert (t[1].op, t[1].value) == ("=", 12)
    assert t[2].kind == "deadline" and t[2].deadline.isoformat() == "2024-12-31"


def test_xlsx_several_sheets_name_the_sheet_in_messages():
    bad = _project_rows(indicators=[["产出指标", "数量指标", "人数", "服务人数", "", "计划"]])
    data = _xlsx({"说明": [["2024年部门整体绩效目标"]], "乙": [["乙项目绩效目标表"], *bad]})
    doc = read_target_document(data, "t.xlsx", 2024)
    problem = next(p for p in doc.problems if "缺少指标值" in p.message)
    assert problem.place == "「乙项目绩效目标表」（工作表“乙”）第8行"


def test_xlsx_label_only_rows_stay_table_rows():
    """A 绩效目标 row with the goals left empty is not mistaken for a title paragraph."""
    rows = _project_rows()
    rows[4] = ["绩效目标"]
    doc = read_target_document(_xlsx({"S": [["空目标项目绩效目标表"], *rows]}), "t.xlsx", 2024)
    assert doc.problems == []
    assert doc.projects[0].goals == [] and len(doc.projects[0].indicators) == 2


# --------------------------------------------------------------------------- files that cannot be read


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()


CORRUPT = {
    "docx-garbage-xml": (_zip({"word/document.xml": b"<w:document", "[Content_Types].xml": b"<Types/>"}), "x.docx"),
    "docx-no-content-types": (_zip({"word/document.xml": b"<a/>"}), "x.docx"),
    "xlsx-garbage-xml": (_zip({"xl/workbook.xml": b"<workbook", "[Content_Types].xml": b"<Types/>"}), "x.xlsx"),
    "xlsx-no-sheets": (_zip({"xl/workbook.xml": b"<workbook/>"}), "x.xlsx"),
    "not-a-zip": (b"just text pretending", "x.xlsx"),
}


@pytest.mark.parametrize("data,name", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_office_files_raise_document_error(data, name):
    with pytest.raises(DocumentError) as e:
        read_target_document(data, name, 2024)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e.value))  # a Chinese message


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_truncated_office_files_raise_document_error(fmt, docx_bytes, xlsx_bytes):
    data = docx_bytes if fmt == "docx" else xlsx_bytes
    for cut in (len(data) // 3, len(data) // 2, len(data) - 100):
        with pytest.raises(DocumentError):
            read_target_document(data[:cut], f"x.{fmt}", 2024)


def test_corrupt_member_inside_a_valid_zip(docx_bytes):
    z = zipfile.ZipFile(io.BytesIO(docx_bytes))
    files = {n: z.read(n) for n in z.namelist()}
    files["word/document.xml"] = files["word/document.xml"][: len(files["word/document.xml"]) // 2]
    with pytest.raises(DocumentError) as e:
        read_target_document(_zip(files), "x.docx", 2024)
    assert "Word文件已损坏" in str(e.value)


@pytest.mark.parametrize("name", ["目标表.doc", "目标表.xls", "目标表", "目标表.docx"])
def test_old_office_format_asks_to_save_as(name):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(DocumentError) as e:
        read_target_document(ole, name, 2024)
    assert "另存为" in str(e.value)


def test_zip_bomb_is_refused_before_unpacking(monkeypatch):
    import documents.targets_io as targets_io

    monkeypatch.setattr(targets_io, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)  # the real limit is 50 MB
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<a/>")
        z.writestr("word/media/big.bin", b"\0" * (3 * 1024 * 1024))
    assert len(buf.getvalue()) < 20_000
    with pytest.raises(DocumentError) as e:
        read_target_document(buf.getvalue(), "bomb.docx", 2024)
    assert "解压后过大" in str(e.value)


def test_docx_paragraph_text_follows_tracked_changes_and_content_controls():
    import docx
    from docx.oxml import parse_xml

    from documents.targets_docx import tokenize_docx

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d = docx.Document()
    body = d.element.body
    body.insert(0, parse_xml(
        f'<w:p {ns}><w:r><w:t>预算数</w:t></w:r>'
        '<w:ins w:id="1" w:author="a"><w:r><w:t>120</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>100</w:delText></w:r></w:del>'
        '<w:hyperlink><w:r><w:t>万元</w:t></w:r></w:hyperlink>'
        '<w:r><w:tab/><w:t>。</w:t><w:br/><w:t>下一行</w:t></w:r></w:p>'
    ))
    body.insert(1, parse_xml(f'<w:sdt {ns}><w:sdtContent><w:p><w:r><w:t>控件中的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    buf = io.BytesIO()
    d.save(buf)
    texts = [i.text for i in tokenize_docx(buf.getvalue()) if isinstance(i, Paragraph)]
    assert texts[:2] == ["预算数120万元\t。\n下一行", "控件中的段落"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_export_of_untitled_projects_and_long_plans(fmt, seed_doc):
    """A project without a title gets one (else the first table would take the last department line as
    its title); more checkpoints than the usual four; a project without goals."""
    import copy

    from domain.document import PlanPointSpec
    from domain.periods import checkpoint_date

    doc = copy.deepcopy(seed_doc)
    doc.projects = doc.projects[:3]
    doc.projects[0].title = doc.projects[1].title = ""
    labels = ["3月底", "6月底", "9月底", "10月底", "11月底", "12月底"]
    doc.projects[1].plan = [
        PlanPointSpec(lab, checkpoint_date(lab, 2024), pct) for lab, pct in zip(labels, [10, 20, 30, 40, 50, 100])
    ]
    doc.projects[2].goals = []
    data = document_to_docx(doc) if fmt == "docx" else document_to_xlsx(doc)
    back = read_target_document(data, f"x.{fmt}", 2024)
    assert back.problems == []
    assert [p.title for p in back.projects] == [f"{p.name}项目绩效目标表" for p in doc.projects[:2]] + [doc.projects[2].title]
    assert back.measures == doc.measures
    assert back.projects[1].plan == doc.projects[1].plan
    assert back.projects[2].goals == []
    for p, q in zip(_content(doc)["projects"], _content(back)["projects"]):
        assert p | {"title": ""} == q | {"title": ""}
