"""The words of a 项目(支出)绩效目标表 / 绩效目标申报表 / 批复表: header fields, indicator columns, money
phrasings, row kinds and the year. Pure text rules shared by every reader (docs/rules.md §9.2).

Definitions chosen here:

* **Columns are found by their header words, never by position** (``column_role``): 一级 / 二级 / 三级指标
  (or 指标内容 / 指标名称), the value (指标值, 目标值, 年度指标值, 指标值及单位, 预期…实现值), its operator
  (指标性质, 指标值类型, 指标方向) and unit (度量单位, 计量单位, 单位) when split, 分值 / 权重, 绩效指标描述
  (指标解释, 指标值内容), 指标值确定依据 (指标标准或依据, 绩效标准). Columns of the long-term or medium-term
  target (长期, 中期) and of what was achieved (实际, 完成值, 得分, 偏差原因) are ignored: the annual target
  (年度) is the one monitored.
* **Header fields** (``field_of``): 项目名称 and its synonyms (项目支出名称, 转移支付（项目）名称), 项目编码,
  主管部门, 实施单位 (预算单位, 项目执行单位), 年度总体目标 (年度目标, 本年度绩效目标), 项目资金主要用途 /
  项目概况, and the money labels.
* **Money** (``budget_from``): a total (年度资金总额, 当年资金总额, 项目金额, 资金总额, 预算数, 申请金额,
  项目预算金额 …; an annual total wins over a multi-year one) and its split into 财政资金 (财政拨款, 当年…
  财政资金, 上级资金, 本级, 预算资金, 一般公共预算) and 其他资金 (其他资金, 自有资金, 其他收入). Without a
  total, the budget is the sum of the parts. Amounts are 万元 unless the label or the amount says 元.
  No amount at all is ``None`` — the table is refused with a message, never imported with 0.
* **The year** (``document_year``): from a title or heading — ``（2022年度）``, ``2023年项目支出绩效目标申报表``
  — never from a sentence, a column header (2021年实际实现值) or a date inside a target; without one, from
  the period a table names (项目期, 项目起止时间, 项目支出实施期: ``period_years``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

ROLES = ("level1", "level2", "level3", "value", "op", "unit", "weight", "description", "basis")
ROLE_LABELS = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "value": "指标值", "op": "指标性质",
               "unit": "度量单位", "weight": "分值", "description": "绩效指标描述", "basis": "指标值确定依据"}
IGNORED_WORDS = _IGNORED = ("长期", "中期", "上年", "实际", "得分", "完成值", "偏差", "原因", "备注", "扣分", "评分", "措施")


def norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@lru_cache(maxsize=4096)
def column_role(name: str | None) -> str | None:
    """What an indicator-table column holds, from its header words (None: ignored)."""
    n = norm(name)
    if not n or any(w in n for w in _IGNORED):
        return None
    n = re.sub(r"[(（](年度|当年|本年度?)[)）]$", "", n)
    checks = (
        ("level1", n.startswith("一级")),
        ("level2", n.startswith("二级")),
        ("level3", n.startswith("三级") or n in ("指标内容", "指标名称", "具体指标", "绩效指标名称")),
        ("basis", "确定依据" in n or "标准或依据" in n or n in ("绩效标准", "依据", "指标依据", "评价标准")),
        ("weight", n.startswith(("分值", "权重"))),
        ("op", n in ("指标性质", "指标值类型", "指标方向", "运算符", "符号", "比较符号")),
        ("unit", n in ("度量单位", "计量单位", "单位", "指标单位")),
        ("description", n in ("绩效指标描述", "指标值内容", "指标解释", "指标说明", "指标描述", "指标值说明")),
        ("value", any(w in n for w in ("指标值", "目标值", "实现值")) and "类型" not in n),
    )
    return next((role for role, hit in checks if hit), None)


# --------------------------------------------------------------------------- header fields

_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("code", ("项目编码", "项目代码")),
    ("name", ("项目名称", "项目支出名称", "转移支付(项目)名称", "转移支付名称", "专项名称", "资金名称")),
    ("department", ("主管部门", "主管预算部门", "项目主管部门", "业务主管部门", "主管部门及代码", "主管部门及编码",
                    "主管部门及其编码", "预算部门", "中央主管部门", "地方主管部门")),
    ("implementer", ("实施单位", "项目实施单位", "项目执行单位", "预算单位", "资金使用单位", "项目单位", "申报单位")),
    ("goal", ("年度总体目标", "年度目标", "本年度绩效目标", "年度绩效目标", "项目绩效目标", "绩效目标", "总体目标")),
    ("purpose", ("项目资金主要用途", "项目概况", "项目实施内容", "项目总体概况")),
)
NAME_LABELS = _FIELDS[1][1] + _FIELDS[0][1]


@lru_cache(maxsize=4096)
def field_of(label: str | None) -> str | None:
    """The header field a label cell names (``name``, ``code``, ``department``, ``implementer``,
    ``goal``, ``purpose``), or None. A parenthesised note (``年度绩效目标（文字）``) does not count."""
    n = re.sub(r"[:：]$", "", norm(label))
    bare = re.sub(r"[(（][^()（）]*[)）]", "", n)
    for key, words in _FIELDS:
        if n in words or bare in words:
            return key
    return None


def is_name_label(text: str | None) -> bool:
    return field_of(text) in ("name", "code")


# --------------------------------------------------------------------------- money

TOTAL, FISCAL, OTHER = "total", "fiscal", "other"
_TOTAL_WORDS = ("年度资金总额", "当年资金总额", "资金总额", "项目金额", "项目预算金额", "预算金额", "预算数", "申请金额",
                "项目当年预算", "当年年度预算", "年度预算", "部门预算", "总额", "合计", "项目总预算", "项目预算")
_ANNUAL = ("年度", "当年", "本年")
_FISCAL_WORDS = ("财政拨款", "财政投款", "财政资金", "上级资金", "本级", "预算资金", "一般公共预算", "财政补助", "市级财政",
                 "同级财政", "中央财政", "地方资金")
_OTHER_WORDS = ("其他资金", "其它资金", "自有资金", "其他收入", "其他", "其它", "自筹")
_AMOUNT = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)\s*(万元|万|元)?")
_LABELLED = re.compile(r"([^\d:：,，;；。\s]{2,30}?)\s*[:：]?\s*(-?\d[\d,]*(?:\.\d+)?)\s*(万元|万|元)?")


@dataclass(frozen=True)
class MoneyFact:
    label: str
    amount_wan: float
    kind: str  # total | fiscal | other


@lru_cache(maxsize=4096)
def money_kind(label: str) -> str | None:
    n = norm(label)
    if not n or re.match(r"^\d*[、.]", n):  # "1、一般公共预算": a line under a 小计
        return None
    if any(w in n for w in ("执行", "执行率", "结转", "分值", "得分", "上年")):
        return None
    if any(w in n for w in _FISCAL_WORDS) and "总额" not in n:
        return FISCAL
    if any(w in n for w in _OTHER_WORDS):
        return OTHER
    if any(w in n for w in _TOTAL_WORDS):
        return TOTAL
    return None


def amount_in_wan(text: str, yuan: bool = False) -> float | None:
    """The first amount of a cell in 万元: ``164万元``, ``854万(…)``, ``10,000``, ``387664.62`` (元 when
    ``yuan`` or when the amount says 元)."""
    m = _AMOUNT.search(norm(text))
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    unit = m.group(2) or ("元" if yuan else "万元")
    return round(value / 10000, 6) if unit == "元" else value


def is_yuan_label(label: str) -> bool:
    n = norm(label)
    return bool(re.search(r"[(（]元[)）]|单位[:：]?元$|金额单位[:：]元", n))


def facts_in_text(text: str, yuan: bool = False) -> list[MoneyFact]:
    """Every ``label：amount`` inside one cell or sentence (``年度资金总额：16\\n其中：上级资金16``,
    ``预算数100万元。其中：财政资金80万元``)."""
    out = []
    for line in re.split(r"[\n。；;，,]", unicodedata.normalize("NFKC", text or "")):
        for m in _LABELLED.finditer(line.replace(" ", "")):
            kind = money_kind(m.group(1))
            if kind is not None:
                value = amount_in_wan(m.group(2) + (m.group(3) or ""), yuan)
                if value is not None:
                    out.append(MoneyFact(m.group(1), value, kind))
    return out


def budget_from(facts: list[MoneyFact]) -> tuple[float | None, float | None, float | None]:
    """(预算数, 财政资金, 其他资金) in 万元 from the money facts of one table (see the module docstring)."""
    totals = [f for f in facts if f.kind == TOTAL]
    annual = [f for f in totals if any(w in f.label for w in _ANNUAL)]
    fiscal_parts = _parts(facts, FISCAL)
    other_parts = _parts(facts, OTHER)
    fiscal = round(sum(f.amount_wan for f in fiscal_parts), 6) if fiscal_parts else None
    other = round(sum(f.amount_wan for f in other_parts), 6) if other_parts else None
    if annual or totals:
        budget = (annual or totals)[0].amount_wan
    elif fiscal is not None or other is not None:
        budget = round((fiscal or 0) + (other or 0), 6)
    else:
        return None, None, None
    if fiscal is None and other is None:
        fiscal = budget
    if fiscal is not None and other is None:
        other = round(budget - fiscal, 6)
    if fiscal is None and other is not None:
        fiscal = round(budget - other, 6)
    return budget, fiscal, other


def _parts(facts: list[MoneyFact], kind: str) -> list[MoneyFact]:
    """The parts of one kind (numbered lines under a 小计 were left out by ``money_kind``); an annual part
    (当年财政拨款) wins over a multi-year one."""
    parts = [f for f in facts if f.kind == kind]
    annual = [f for f in parts if any(w in f.label for w in _ANNUAL)]
    chosen = annual or parts
    seen: set[str] = set()
    out = []
    for f in chosen:  # the same label twice (a header read from two cells) counts once
        if f.label not in seen:
            seen.add(f.label)
            out.append(f)
    return out


# --------------------------------------------------------------------------- rows

_TEMPLATE_LEVEL3 = re.compile(r"^(指标\s*\d+|具体指标|\d+[.、]?|…+|\.{3,}|……)$")
_HEADING = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|合计$|小计$|总计$)")
_END = re.compile(r"^(注[:：]|说明[:：]|备注[:：]|填表人|填报人|审核人|其他需(要)?说明|财政部门审核|主管部门审核|"
                  r"审核意见|.*盖章|单位负责人)")
_HINT = re.compile(r"[(（][^()（）]*\*{1,2}[^()（）]*[)）]")


def is_template_value(text: str) -> bool:
    """An unfilled template cell: ``**人``, ``≥**%``, ``……``."""
    n = norm(text)
    return "**" in n or bool(re.fullmatch(r"[…．.]+", n))


def is_template_level3(text: str) -> bool:
    return bool(_TEMPLATE_LEVEL3.match(norm(text)))


def is_heading_level3(text: str) -> bool:
    """A numbered heading or subtotal row (一、…, （二）…, 合计): it sums the rows below, not stored."""
    return bool(_HEADING.match(norm(text)))


def is_end_row(first_text: str) -> bool:
    """A row after the indicators: a note, the reviewer's opinion, a signature line."""
    return bool(_END.match(norm(first_text)))


def drop_template_hint(value: str) -> tuple[str, str]:
    """``(≥**人)1200人`` -> (``1200人``, ``(≥**人)``): a hint of the blank template left before a value."""
    m = _HINT.search(value or "")
    if not m:
        return value, ""
    rest = (value[: m.start()] + value[m.end():]).strip()
    return (rest, m.group(0)) if rest else (value, "")


# --------------------------------------------------------------------------- the year

_YEAR_OF = re.compile(r"[(（]?\s*((?:19|20)\d{2})\s*年\s*度?\s*[)）]?")
_TITLE_WORDS = ("绩效目标", "目标表", "申报表", "批复表", "审批表", "预算")


def title_year(text: str) -> int | None:
    """The year a title or heading line names: ``（2022年度）``, ``2023年项目支出绩效目标申报表``."""
    n = norm(text)
    if not n or len(n) > 60:
        return None
    m = re.fullmatch(r"[(（]?((?:19|20)\d{2})年度?[)）]?", n)
    if m:
        return int(m.group(1))
    m = _YEAR_OF.match(n)
    if m and (n[m.end():m.end() + 1] == "度" or "年度" in m.group(0) or any(w in n for w in _TITLE_WORDS)):
        return int(m.group(1))
    return None


_PERIOD_LABEL = re.compile(r"^(项目期|项目(起止|实施)?时间|项目起止时间|(项目支出)?实施期|项目周期|起始日期|所属年度|预算年度)[:：]?$")


def period_years(cells: list[str]) -> list[int]:
    """The year of the period a header row names (``项目期 | 2022年``, ``项目起止时间 | 202001-202012``):
    evidence of the document's year when no title names one."""
    out = []
    for label, value in zip(cells, cells[1:]):
        if _PERIOD_LABEL.match(norm(label)):
            m = re.search(r"(?:19|20)\d{2}", norm(value))
            if m:
                out.append(int(m.group(0)))
    return out


def document_year(candidates: list[int]) -> tuple[int | None, list[int]]:
    """(the year of the document, every distinct year named): the most frequent, the first on a tie."""
    if not candidates:
        return None, []
    distinct = list(dict.fromkeys(candidates))
    best = max(distinct, key=lambda y: (candidates.count(y), -distinct.index(y)))
    return best, distinct
