"""The indicator vocabulary: every 一级 / 二级指标 word a bureau writes, mapped to one canonical set.

Definitions chosen here (docs/rules.md §9.1):

* **Canonical set** — the national framework (财预〔2020〕10号, 财预〔2021〕101号): 一级 产出指标 / 效益指标 /
  成本指标 / 满意度指标; 二级 数量 / 质量 / 时效 / 成本指标 (under 产出), 经济成本 / 社会成本 / 生态环境成本指标
  (under 一级 成本指标), 经济效益 / 社会效益 / 生态效益 / 可持续影响指标 (under 效益), 服务对象满意度指标
  (under 满意度). Stored indicators only ever carry these words (or, for a word nobody mapped, the word
  as written), so one bureau's 效果指标 and another's 效益指标 are one column of the status matrix.
* **Built-in synonyms** (``BUILTIN``): the national names with and without 指标, older forms
  (社会公众或服务对象满意度指标, 环境效益指标, 产出数量指标 …) and local ones (效果指标, 项目完成指标,
  项目效益指标 …). The admin extends the table (``Vocabulary.extra``, stored as a setting); an extension
  never overrides a canonical word.
* **Before a lookup** a word loses its spaces, a parenthesised hint (``(必填)``, ``（50分）``, ``(0-20)分``),
  a trailing 等 and a trailing colon; full-width letters are folded (NFKC).
* **An unknown word** is kept as written and warned about, naming the nearest canonical word
  (``difflib`` ratio); it never refuses a table. The admin maps it in the preview.
* **一级 follows 二级**: a known 二级 word implies its 一级. A different 一级 in the table (the 2015
  template put 社会公众或服务对象满意度指标 under 效益指标) is replaced by the implied one, with a warning;
  a missing 一级 is filled in silently.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

OUTPUT, EFFECT, COST, SATISFACTION = "产出指标", "效益指标", "成本指标", "满意度指标"
LEVEL1 = (OUTPUT, EFFECT, COST, SATISFACTION)
# canonical 二级 word -> the 一级 words it may stand under (the first is implied when the table has none)
LEVEL2: dict[str, tuple[str, ...]] = {
    "数量指标": (OUTPUT,),
    "质量指标": (OUTPUT,),
    "时效指标": (OUTPUT,),
    "成本指标": (OUTPUT, COST),
    "经济成本指标": (COST, OUTPUT),
    "社会成本指标": (COST, OUTPUT),
    "生态环境成本指标": (COST, OUTPUT),
    "经济效益指标": (EFFECT,),
    "社会效益指标": (EFFECT,),
    "生态效益指标": (EFFECT,),
    "可持续影响指标": (EFFECT,),
    "服务对象满意度指标": (SATISFACTION,),
}
BUILTIN: dict[str, dict[str, str]] = {
    "level1": {
        "产出": OUTPUT, "项目完成指标": OUTPUT, "项目完成": OUTPUT, "完成指标": OUTPUT, "产出(工作量)指标": OUTPUT,
        "效益": EFFECT, "效果指标": EFFECT, "效果": EFFECT, "项目效益指标": EFFECT, "项目效益": EFFECT,
        "成本": COST,
        "满意度": SATISFACTION, "服务对象满意度指标": SATISFACTION, "服务对象满意度": SATISFACTION,
        "社会公众或服务对象满意度指标": SATISFACTION, "满意度指标指标": SATISFACTION,
    },
    "level2": {
        "产出数量指标": "数量指标", "产出质量指标": "质量指标", "产出时效指标": "时效指标", "产出成本指标": "成本指标",
        "生态成本指标": "生态环境成本指标", "环境成本指标": "生态环境成本指标",
        "环境效益指标": "生态效益指标", "可持续发展指标": "可持续影响指标", "可持续性影响指标": "可持续影响指标",
        "满意度指标": "服务对象满意度指标", "社会公众或服务对象满意度指标": "服务对象满意度指标",
        "社会公众满意度指标": "服务对象满意度指标", "服务对象满意度": "服务对象满意度指标",
        "群众满意度指标": "服务对象满意度指标", "受益对象满意度指标": "服务对象满意度指标",
    },
}
LEVEL_LABELS = {"level1": "一级指标", "level2": "二级指标"}
_HINT = re.compile(r"[(（][^()（）]*[)）]\s*分?")
_NEAR_ENOUGH = 0.5


def normalise_word(word: str | None) -> str:
    """The form a word is looked up in: NFKC, no spaces, no parenthesised hint, no trailing 等 / colon."""
    s = "".join(unicodedata.normalize("NFKC", word or "").split())
    s = _HINT.sub("", s)
    s = re.sub(r"\d+分$", "", s)
    return s.rstrip("等:：")


def canonical_words(level: str) -> tuple[str, ...]:
    return LEVEL1 if level == "level1" else tuple(LEVEL2)


@dataclass(frozen=True)
class Resolved:
    """The canonical 一级 / 二级 of one indicator row and the warnings the mapping raised."""

    level1: str
    level2: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """The built-in table plus the admin's extension ``extra[level][word] = canonical``."""

    extra: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_setting(cls, value: dict | None) -> Vocabulary:
        """Leniently from the stored setting: entries that are not word -> canonical word are left out."""
        extra: dict[str, dict[str, str]] = {}
        for level in ("level1", "level2"):
            raw = (value or {}).get(level) or {}
            if isinstance(raw, dict):
                allowed = canonical_words(level)
                words = {normalise_word(str(k)): str(v) for k, v in raw.items()
                         if isinstance(v, str) and v in allowed and normalise_word(str(k))}
                if words:
                    extra[level] = words
        return cls(extra)

    def to_setting(self) -> dict:
        return {level: dict(sorted(words.items())) for level, words in self.extra.items() if words}

    def with_mapping(self, level: str, word: str, canonical: str) -> Vocabulary:
        """A copy that maps ``word`` to ``canonical``; ``ValueError`` (Chinese) for a word that is not
        canonical or an attempt to remap a canonical word."""
        key = normalise_word(word)
        if canonical not in canonical_words(level):
            raise ValueError(f"“{canonical}”不是规范的{LEVEL_LABELS[level]}（可选：{'、'.join(canonical_words(level))}）")
        if not key:
            raise ValueError("词语为空")
        if key in canonical_words(level) and key != canonical:
            raise ValueError(f"“{key}”本身就是规范的{LEVEL_LABELS[level]}，不能改为“{canonical}”")
        extra = {lv: dict(words) for lv, words in self.extra.items()}
        extra.setdefault(level, {})[key] = canonical
        return Vocabulary(extra)

    def lookup(self, level: str, word: str | None) -> str | None:
        """The canonical word for ``word``, or None when it is not in the table."""
        key = normalise_word(word)
        if not key:
            return None
        allowed = canonical_words(level)
        for candidate in (key, key if key.endswith("指标") else key + "指标"):
            if candidate in allowed:
                return candidate
            found = self.extra.get(level, {}).get(candidate) or BUILTIN[level].get(candidate)
            if found:
                return found
        return None

    def mapping_rows(self) -> list[tuple[str, str, str, str]]:
        """(level label, word, canonical, 内置|管理员添加) for every entry, for display."""
        rows = [(LEVEL_LABELS[lv], w, c, "内置") for lv in ("level1", "level2") for w, c in BUILTIN[lv].items()]
        rows += [(LEVEL_LABELS[lv], w, c, "管理员添加") for lv, words in self.extra.items() for w, c in words.items()]
        return rows

    def resolve(self, level1: str, level2: str) -> Resolved:
        """The canonical pair for a row (see the module docstring)."""
        warnings: list[str] = []
        c2 = self.lookup("level2", level2) if level2.strip() else None
        c1 = self.lookup("level1", level1) if level1.strip() else None
        out2 = c2 or (level2.strip() and _unknown("level2", level2, warnings))
        if c2 is not None:
            parents = LEVEL2[c2]
            if c1 is None and level1.strip():
                warnings.append(f"一级指标“{level1.strip()}”不在词表中，按二级指标“{c2}”归入“{parents[0]}”")
            elif c1 is not None and c1 not in parents:
                warnings.append(f"二级指标“{level2.strip()}”属于“{parents[0]}”，原表列在“{level1.strip()}”下，已归入“{parents[0]}”")
            out1 = c1 if c1 in parents else parents[0]
        else:
            out1 = c1 or (level1.strip() and _unknown("level1", level1, warnings))
        return Resolved(out1 or "", out2 or "", tuple(warnings))


def nearest(level: str, word: str) -> str:
    """The canonical word most like ``word`` (never empty)."""
    key = normalise_word(word)
    words = canonical_words(level)
    scored = sorted(words, key=lambda w: -difflib.SequenceMatcher(None, key, w).ratio())
    return scored[0]


def _unknown(level: str, word: str, warnings: list[str]) -> str:
    near = nearest(level, word)
    ratio = difflib.SequenceMatcher(None, normalise_word(word), near).ratio()
    hint = f"，最接近“{near}”" if ratio >= _NEAR_ENOUGH else f"，可在预览中指定（如“{near}”）"
    warnings.append(f"{LEVEL_LABELS[level]}“{word.strip()}”不在词表中{hint}；按原文导入")
    return word.strip()


DEFAULT_VOCABULARY = Vocabulary()
