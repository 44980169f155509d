"""Chinese labels of the audit log's vocabularies: one table per vocabulary, used by every screen and export.

Definitions chosen here:

* ``action`` and ``entity`` are the codes stored in ``AuditLog``. :data:`ENTITY_LABELS` names what was
  changed; :data:`ACTION_LABELS` names what was done. The same action code can mean different things on
  different entities (``unlock`` a period = 重新开放, ``unlock`` an account = 解除锁定): those pairs are in
  :data:`ACTION_ON_ENTITY` and win over the plain action label.
* An unknown code is shown as it is stored (never dropped), so a new action shows up before it gets a label.
* Stored values are text; :func:`value_text` turns the raw forms a person should never read on screen
  (``None``, ``True``/``False``, ``"true"``/``"false"``, ``nan``) into 空 / 是 / 否.
* The built-in actors (``system`` for set-up and the command line without ``--user``, ``system-admin``
  for a command-line import) are named in Chinese by :func:`actor_label`; a person's user name is
  shown as it is (it is what they sign in with).
"""

from __future__ import annotations

import math
from typing import Any

ENTITY_LABELS: dict[str, str] = {
    "indicator_actual": "指标填报",
    "spending_actual": "预算执行填报",
    "period": "填报期",
    "setting": "规则设置",
    "actuals": "填报数据",
    "app_user": "用户账户",
    "user": "用户账户",
    "fiscal_year": "年度绩效目标",
    "indicator": "指标",
    "project": "项目",
    "database": "数据库",
    "login_session": "登录会话",
    "login_throttle": "登录限流",
    "project_review": "项目审核",
    "review_comment": "审核留言",
    "report_snapshot": "上报",
    "budget_adjustment": "预算调整",
    "target_adjustment": "指标调整",
    "evidence_file": "佐证材料",
    "rectification": "整改事项",
}

ACTION_LABELS: dict[str, str] = {
    "update": "修改",
    "create": "新增",
    "insert": "新增",
    "delete": "删除",
    "import": "导入",
    "lock": "锁定",
    "unlock": "解锁",
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "demo-data": "生成示例数据",
    "synth": "生成模拟数据",
    "create_user": "创建用户",
    "set_password": "修改密码",
    "activate": "启用账户",
    "deactivate": "停用账户",
    "set_units": "修改责任单位",
    "set_role": "修改角色",
    "end_session": "结束登录会话",
    "login_blocked": "登录限流",
    "backup": "备份",
    "restore": "恢复",
    "review_submit": "送审",
    "review_withdraw": "撤回送审",
    "review_approve": "审核通过",
    "review_return": "退回",
    "review_reopen": "重新开放审核",
    "comment": "留言",
    "report": "上报",
    "set_deadline": "设置填报截止日",
    "set_unit_reviewer": "设置科长（初审）",
    "withdraw": "撤销",
    "upload": "上传",
    "answer": "反馈整改情况",
    "close": "核验销号",
    "return": "退回重改",
}

ACTION_ON_ENTITY: dict[tuple[str, str], str] = {
    ("lock", "period"): "锁定填报期",
    ("unlock", "period"): "重新开放",
    ("lock", "app_user"): "锁定账户",
    ("unlock", "app_user"): "解除锁定",
    ("create", "rectification"): "提出整改",
}

# fields of audit rows about the admin's per-indicator and per-document rule choices
RULE_FIELD_LABELS: dict[str, str] = {"accumulates": "累计/水平（管理员设定）", "direction": "“=”目标方向（管理员设定）",
                                     "selfeval_preset": "自评权重方案"}

EMPTY_TEXT = "（空）"
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def entity_label(entity: str | None) -> str:
    if not entity:
        return ""
    return ENTITY_LABELS.get(entity, entity)


def action_label(action: str | None, entity: str | None = None) -> str:
    if not action:
        return ""
    if entity and (action, entity) in ACTION_ON_ENTITY:
        return ACTION_ON_ENTITY[(action, entity)]
    return ACTION_LABELS.get(action, action)


ACTOR_LABELS: dict[str, str] = {"system": "系统", "system-admin": "系统管理员（命令行）"}


def actor_label(username: str | None) -> str:
    """Who acted, as the audit log shows it."""
    if not username:
        return ""
    return ACTOR_LABELS.get(username, username)


def value_text(value: Any) -> str:
    """A stored old/new value as a person reads it: 空 for nothing, 是/否 for booleans, else the text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY_TEXT
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    if text in ("", "None", "nan", "NaN", "NaT"):
        return EMPTY_TEXT
    if text in _TRUE:
        return "是"
    if text in _FALSE:
        return "否"
    return text


__all__ = ["ENTITY_LABELS", "ACTION_LABELS", "ACTION_ON_ENTITY", "ACTOR_LABELS", "EMPTY_TEXT", "actor_label",
           "entity_label", "action_label", "value_text"]
