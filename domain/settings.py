"""Every threshold and weight of the status rules and the self-evaluation, with its default.

Pure code. The admin edits these; someone else stores them (``to_dict``/``from_dict`` give a
JSON-able shape). ``validate()`` returns Chinese messages; an empty list means the settings are
usable. Shares/ratios are fractions (0.6 = 60%); scores and weights are points out of 100.
docs/rules.md §8 lists every setting with the rule it drives; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

# the 二级指标 (without the trailing 指标) whose count-unit indicators accumulate by default
DEFAULT_ACCUMULATE_LEVEL2 = ("数量", "社会效益", "经济效益", "生态效益", "可持续影响")
# units that count things (people, visits, cases, places ...): such indicators can accumulate
# the server's upload limit (server.maxUploadSize in .streamlit/config.toml, client_max_body_size in nginx)
EVIDENCE_UPLOAD_LIMIT_MB = 25
DEFAULT_COUNT_UNITS = (
    "人", "人次", "名", "位", "例", "个", "次", "户", "所", "项", "场", "家", "件", "份", "册",
    "套", "台", "批", "座", "间", "处", "期", "起", "张", "本", "条", "篇", "辆", "只", "棵",
    "株", "课时", "节", "场次", "班", "支", "队", "村", "校", "处所", "床", "张床",
)


# never read by the status rules — the self-evaluation preview (docs/rules.md §7), the roll-up colours, the
# reporting chain: changing them leaves every stored status as it is (anything not listed here is treated as
# a status rule, and a change of it recomputes every status)
NOT_STATUS_FIELDS = frozenset({
    "use_table_weights", "weight_budget", "weight_output", "weight_effect", "weight_satisfaction",
    "qual_achieved", "qual_partial", "qual_not_achieved", "grade_excellent", "grade_good", "grade_pass",
    "satisfaction_by_rate",
    # the colour of a group of projects is read from their stored statuses, not stored itself
    "rollup_rule", "rollup_red_share", "rollup_amber_share",
    # who reviews (送审 → 科长 → 绩效/财务), not how a value is judged
    "review_levels",
    # which entries need 佐证材料 and the upload limit (domain.evidence): what 须填写 asks for, no colour
    "evidence_for_achieved", "evidence_for_deadline_done", "evidence_for_blue", "evidence_max_mb",
})


@dataclass(frozen=True, slots=True)
class Settings:
    # --- budget execution: ratio = 执行率 / expected
    budget_red_below: float = 0.6
    budget_green_from: float = 0.8
    year_end_execution_floor: float = 0.9  # 年末执行率低于此值须说明原因
    interpolate_plan: bool = False  # False: step at checkpoints; True: linear between them
    # --- indicators
    indicator_red_below: float = 0.6  # accumulating: actual / pro-rated target
    indicator_green_from: float = 0.8
    indicator_blue_from: float = 1.2
    level_amber_margin: float = 0.0  # directly judged: amber within this share short of target
    deadline_amber_days: int = 30
    overachieve_margin: float = 0.15  # Hebei: >15% above an annual >= target must be explained
    reporting_period: str = "quarter"  # 'quarter' | 'month'; data is due from the first period end
    accumulate_level2: tuple[str, ...] = DEFAULT_ACCUMULATE_LEVEL2
    count_units: tuple[str, ...] = DEFAULT_COUNT_UNITS
    # --- roll-ups of areas, units and the department (docs/rules.md §6.2)
    rollup_rule: str = "budget"  # 'budget' | 'count' | 'worst': what colours an area, unit or department
    rollup_red_share: float = 0.3  # red when red projects hold this share of the judged budget (or projects)
    rollup_amber_share: float = 0.2  # amber when red, 未填报 and amber projects together hold this share
    # --- self-evaluation (docs/rules.md §7)
    # the weights and shares below are set from WEIGHT_PRESETS / QUAL_PRESETS or typed in (自定义)
    use_table_weights: bool = True  # a target table with a 分值 column weighs its indicators itself
    satisfaction_by_rate: bool = False  # a 满意度 rate scores weight x rate, not full marks once its target is met
    weight_budget: float = 10.0
    weight_output: float = 50.0
    weight_effect: float = 30.0
    weight_satisfaction: float = 10.0
    qual_achieved: float = 1.0
    qual_partial: float = 0.7
    qual_not_achieved: float = 0.3
    grade_excellent: float = 90.0
    grade_good: float = 80.0
    grade_pass: float = 60.0
    # --- the reporting chain (domain.review): 1 = the performance office reviews; 2 = a 科长 first
    review_levels: int = 1
    # --- evidence (佐证材料, docs/rules.md §13): which entries need a file, and the size limit
    evidence_for_achieved: bool = False  # a qualitative indicator entered as 达成
    evidence_for_deadline_done: bool = False  # a deadline indicator entered as completed
    evidence_for_blue: bool = False  # an indicator judged blue (over-achieved)
    evidence_max_mb: float = 20.0  # per file; at most EVIDENCE_UPLOAD_LIMIT_MB (the server's upload limit)

    # ------------------------------------------------------------------ (de)serialisation

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Settings:
        """Build from a stored dict. Missing keys take defaults, unknown keys are ignored, and
        values that cannot be converted are kept as given so that ``validate()`` reports them
        (this never raises)."""
        if not d:
            return cls()
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in d or d[f.name] is None:
                continue
            kwargs[f.name] = _coerce(d[f.name], _DEFAULTS[f.name])
        return cls(**kwargs)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    # ------------------------------------------------------------------ validation

    def validate(self) -> list[str]:
        """Chinese messages for every setting that is unusable (empty: valid). Longer than 60 lines on
        purpose: a flat list of independent checks, one per rule of docs/rules.md §8, each with its
        own message; split, they would only be harder to compare with that list."""
        errors: list[str] = []
        for f in fields(self):
            v = getattr(self, f.name)
            default = _DEFAULTS[f.name]
            label = FIELD_LABELS[f.name]
            if isinstance(default, bool):
                if not isinstance(v, bool):
                    errors.append(f"{label}须为是或否")
            elif isinstance(default, (int, float)):
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
                    errors.append(f"{label}须为数字")
                elif v < 0:
                    errors.append(f"{label}不能为负数")
            elif isinstance(default, tuple):
                if not isinstance(v, tuple) or not all(isinstance(x, str) and x for x in v):
                    errors.append(f"{label}须为非空文字的列表")
        if errors:
            return errors  # ordering checks below need numbers

        if not (0 < self.budget_red_below < self.budget_green_from):
            errors.append(
                f"预算执行档位须满足 0 < 红色线（{_pct(self.budget_red_below)}）"
                f"< 绿色线（{_pct(self.budget_green_from)}）"
            )
        if self.budget_green_from > 2:
            errors.append(f"预算执行绿色线（{_pct(self.budget_green_from)}）不能超过200%")
        if not (0 < self.year_end_execution_floor <= 1):
            errors.append(f"年末执行率下限（{_pct(self.year_end_execution_floor)}）须在0%到100%之间")
        if not (0 < self.indicator_red_below < self.indicator_green_from < self.indicator_blue_from):
            errors.append(
                f"指标完成档位须满足 0 < 红色线（{_pct(self.indicator_red_below)}）"
                f"< 绿色线（{_pct(self.indicator_green_from)}）< 蓝色线（{_pct(self.indicator_blue_from)}）"
            )
        if self.indicator_green_from > 1:
            errors.append(f"指标绿色线（{_pct(self.indicator_green_from)}）不能超过100%")
        if self.indicator_blue_from <= 1:
            errors.append(f"指标蓝色线（{_pct(self.indicator_blue_from)}）须高于100%")
        if not (0 <= self.level_amber_margin < 1):
            errors.append(f"直接判断指标的黄色区间（{_pct(self.level_amber_margin)}）须在0%到100%之间")
        if int(self.deadline_amber_days) != self.deadline_amber_days or self.deadline_amber_days > 366:
            errors.append(f"时限预警天数（{self.deadline_amber_days}）须为0到366之间的整数")
        if self.overachieve_margin > 10:
            errors.append(f"超额完成说明线（{_pct(self.overachieve_margin)}）过大")
        if self.review_levels not in (1, 2):
            errors.append(f"审核级数须为1或2，当前为：{self.review_levels}")
        if self.reporting_period not in ("quarter", "month"):
            errors.append(f"填报周期须为“季度”或“月度”，当前为：{self.reporting_period}")
        if self.rollup_rule not in ROLLUP_RULES:
            errors.append(f"汇总颜色依据须为{'、'.join(ROLLUP_RULES.values())}之一，当前为：{self.rollup_rule}")
        if not (0 < self.rollup_amber_share <= self.rollup_red_share <= 1):
            errors.append(
                f"汇总档位须满足 0 < 黄色线（{_pct(self.rollup_amber_share)}）"
                f"≤ 红色线（{_pct(self.rollup_red_share)}）≤ 100%"
            )
        weights = (self.weight_budget, self.weight_output, self.weight_effect, self.weight_satisfaction)
        total = sum(weights)
        if abs(total - 100) > 1e-6:
            errors.append(
                "自评权重合计须为100分，当前为"
                f"{total:g}分（预算执行{self.weight_budget:g}+产出{self.weight_output:g}"
                f"+效益{self.weight_effect:g}+满意度{self.weight_satisfaction:g}）"
            )
        if not (1 >= self.qual_achieved >= self.qual_partial >= self.qual_not_achieved >= 0):
            errors.append(
                "定性指标得分比例须满足 100% ≥ 达成（"
                f"{_pct(self.qual_achieved)}）≥ 部分达成（{_pct(self.qual_partial)}）"
                f"≥ 未达成（{_pct(self.qual_not_achieved)}）≥ 0%"
            )
        if not (0.1 <= self.evidence_max_mb <= EVIDENCE_UPLOAD_LIMIT_MB):
            errors.append(f"佐证材料大小上限（{self.evidence_max_mb:g} MB）须在0.1到{EVIDENCE_UPLOAD_LIMIT_MB} MB之间"
                          "（服务器的上传上限）")
        if not (0 < self.grade_pass < self.grade_good < self.grade_excellent <= 100):
            errors.append(
                f"等级分数线须满足 0 < 中（{self.grade_pass:g}）< 良（{self.grade_good:g}）"
                f"< 优（{self.grade_excellent:g}）≤ 100"
            )
        return errors


# What colours a roll-up (an area, a unit, the department): docs/rules.md §6.2
ROLLUP_RULES: dict[str, str] = {"budget": "按预算占比", "count": "按项目数占比", "worst": "按最差项目"}

# Self-evaluation weights (预算执行, 产出, 效益, 满意度), docs/rules.md §7. The 20/80 form splits its 80
# indicator points 50:30:10 like the national form; 湖北 has no 满意度 group (its 满意度 indicators
# count in 效益, where Hubei's form lists them).
WEIGHT_PRESETS: dict[str, tuple[str, tuple[float, float, float, float] | None]] = {
    "national": ("国家（10/50/30/10）", (10.0, 50.0, 30.0, 10.0)),
    "budget20": ("预算执行20/指标80（云南等）", (20.0, 80.0 * 50 / 90, 80.0 * 30 / 90, 80.0 * 10 / 90)),
    "hubei": ("湖北（20/40/40）", (20.0, 40.0, 40.0, 0.0)),
    "custom": ("自定义", None),
}
# Qualitative shares of the weight for 达成 / 部分达成 / 未达成 in the national bands 80–100 %,
# 60–80 %, 0–60 % (docs/rules.md §7).
QUAL_PRESETS: dict[str, tuple[str, tuple[float, float, float] | None]] = {
    "practice": ("达成计满分、其余取档位中值", (1.0, 0.7, 0.3)),
    "top": ("取档位上限", (1.0, 0.8, 0.6)),
    "mid": ("取档位中值", (0.9, 0.7, 0.3)),
    "low": ("取档位下限", (0.8, 0.6, 0.0)),
    "custom": ("自定义", None),
}


def _preset_of(values: tuple[float, ...], presets: dict) -> str:
    for key, (_, numbers) in presets.items():
        if numbers is not None and all(abs(a - b) < 1e-6 for a, b in zip(values, numbers)):
            return key
    return "custom"


def weight_preset_of(s: Settings) -> str:
    """The WEIGHT_PRESETS key whose numbers the settings hold, else 'custom'."""
    return _preset_of((s.weight_budget, s.weight_output, s.weight_effect, s.weight_satisfaction), WEIGHT_PRESETS)


def qual_preset_of(s: Settings) -> str:
    """The QUAL_PRESETS key whose shares the settings hold, else 'custom'."""
    return _preset_of((s.qual_achieved, s.qual_partial, s.qual_not_achieved), QUAL_PRESETS)


def with_presets(s: Settings, weights: str = "custom", qual: str = "custom") -> Settings:
    """``s`` with the numbers of the chosen presets ('custom' keeps the numbers as they are)."""
    w = WEIGHT_PRESETS.get(weights, WEIGHT_PRESETS["custom"])[1]
    if w is not None:
        s = replace(s, weight_budget=w[0], weight_output=w[1], weight_effect=w[2], weight_satisfaction=w[3])
    q = QUAL_PRESETS.get(qual, QUAL_PRESETS["custom"])[1]
    if q is not None:
        s = replace(s, qual_achieved=q[0], qual_partial=q[1], qual_not_achieved=q[2])
    return s


PROJECT_LEVEL, DOCUMENT_LEVEL = "本项目", "本年度目标表"


def preset_choice(project_preset: str | None, document_preset: str | None) -> tuple[str, str] | None:
    """The weight preset a project is scored with and where it was chosen (docs/rules.md §7): the
    project's own, else its target document's, else None (the weights of 设置). Unknown keys are
    ignored."""
    for key, level in ((project_preset, PROJECT_LEVEL), (document_preset, DOCUMENT_LEVEL)):
        if key in WEIGHT_PRESETS and WEIGHT_PRESETS[key][1] is not None:
            return key, level
    return None


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _coerce(value: Any, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)):
                return bool(value)
            s = str(value).strip().lower()
            if s in ("true", "1", "yes", "y", "是", "on"):
                return True
            if s in ("false", "0", "no", "n", "否", "off", ""):
                return False
            return value
        if isinstance(default, int):
            f = float(value)
            return int(f) if f == int(f) else f
        if isinstance(default, float):
            if isinstance(value, bool):
                return value
            return float(value)
        if isinstance(default, tuple):
            if isinstance(value, str):
                parts = [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",")]
                return tuple(p for p in parts if p)
            return tuple(str(x).strip() for x in value)
        if isinstance(default, str):
            return str(value).strip()
    except (TypeError, ValueError):
        return value
    return value


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Settings)}

# Chinese names for the admin screen and for messages
FIELD_LABELS: dict[str, str] = {
    "budget_red_below": "预算执行红色线",
    "budget_green_from": "预算执行绿色线",
    "year_end_execution_floor": "年末执行率下限",
    "interpolate_plan": "计划进度按检查点线性插值",
    "indicator_red_below": "指标红色线",
    "indicator_green_from": "指标绿色线",
    "indicator_blue_from": "指标蓝色线",
    "level_amber_margin": "直接判断指标的黄色区间",
    "deadline_amber_days": "时限预警天数",
    "overachieve_margin": "超额完成说明线",
    "reporting_period": "填报周期",
    "accumulate_level2": "默认累计型的二级指标",
    "count_units": "计数单位",
    "rollup_rule": "领域、单位汇总颜色依据",
    "rollup_red_share": "汇总红色线",
    "rollup_amber_share": "汇总黄色线",
    "use_table_weights": "目标表有分值时按分值计分",
    "satisfaction_by_rate": "满意度指标按满意率计分",
    "weight_budget": "自评权重：预算执行率",
    "weight_output": "自评权重：产出指标",
    "weight_effect": "自评权重：效益指标",
    "weight_satisfaction": "自评权重：满意度指标",
    "qual_achieved": "定性指标得分比例：达成",
    "qual_partial": "定性指标得分比例：部分达成",
    "qual_not_achieved": "定性指标得分比例：未达成",
    "grade_excellent": "等级分数线：优",
    "grade_good": "等级分数线：良",
    "grade_pass": "等级分数线：中",
    "review_levels": "审核级数",
    "evidence_for_achieved": "定性指标填报“达成”须附佐证材料",
    "evidence_for_deadline_done": "时限指标已完成须附佐证材料",
    "evidence_for_blue": "超额完成（蓝）须附佐证材料",
    "evidence_max_mb": "单个佐证材料大小上限",
}
# one-line help for the admin screen
FIELD_HELP: dict[str, str] = {
    "budget_red_below": "执行率/计划进度低于此值为红",
    "budget_green_from": "执行率/计划进度达到此值为绿",
    "year_end_execution_floor": "低于须说明原因",
    "indicator_red_below": "完成值/序时目标低于此值为红",
    "indicator_green_from": "完成值/序时目标达到此值为绿",
    "indicator_blue_from": "完成值/序时目标达到此值为蓝",
    "level_amber_margin": "差距在目标值的此比例内为黄",
    "overachieve_margin": "超过全年目标此比例须说明",
    "rollup_rule": "按预算占比（默认）：各色项目占已评价预算的比例定颜色；按项目数占比：同理按项目个数；"
                   "按最差项目：有一个红色项目即为红",
    "rollup_red_share": "红色项目占已评价预算（或项目数）达到此比例为红；红和未填报合计达到此比例为未填报",
    "rollup_amber_share": "红、未填报和黄色项目合计达到此比例为黄，否则为绿",
    "use_table_weights": "导入的目标表带“分值”列时，各指标按表中分值计分（按指标部分总分等比折算）",
    "review_levels": "1：送审后由管理员（绩效/财务）审核；2：先由本单位科长初审，再由管理员审核",
    "satisfaction_by_rate": "勾选后满意度指标（百分比）得分=分值×满意率（满意率98%得分值的98%），不勾选则达到目标值即得满分",
    "evidence_for_achieved": "开启后，填报“达成”的定性指标在“须填写”中列出“佐证材料”，直到上传至少一个文件",
    "evidence_for_deadline_done": "开启后，填报了完成日期（或“达成”）的时限指标须上传佐证材料",
    "evidence_for_blue": "开启后，判为蓝色（超额完成）的指标须上传佐证材料",
    "evidence_max_mb": f"超过的文件拒绝上传；不能超过服务器上传上限{EVIDENCE_UPLOAD_LIMIT_MB} MB",
}
# the admin screen's preset choices (names from WEIGHT_PRESETS / QUAL_PRESETS)
PRESET_HELP = {
    "weights": "国家10/50/30/10；预算执行20/指标80；湖北20/40/40（满意度指标计入效益）；自定义：按下列四项权重",
    "qual": "达成/部分达成/未达成得权重的：默认100%/70%/30%；上限100/80/60；中值90/70/30；下限80/60/0；自定义：按下列三项",
}

DEFAULT_SETTINGS = Settings()
