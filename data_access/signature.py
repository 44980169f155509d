"""The values of the signature block of the official outputs (填报单位 / 填报人 / 审核人 / 联系电话 / 日期).

Definitions chosen here:

* **填报单位** is the department of the fiscal year (the 主管部门 of the target document): the official
  tables and the report are the department's.
* **填报人** is the signed-in account's display name; **联系电话** and **审核人** are stored with the account
  (``app_user.phone``, ``app_user.report_reviewer``), so each person fills them once; **日期** is today
  in Beijing.
* Every signed-in account may save its own two fields (never someone else's); the write re-reads the
  account, is audited (old -> new) and bumps the revision like every write.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.db import Changed, bump_revision, session_scope
from data_access.exports import department_name
from data_access.models import AuditLog, User
from data_access.permissions import PermissionDenied, Principal
from domain.hygiene import strip_invisible

MAX_PHONE, MAX_REVIEWER = 40, 64
_PHONE = re.compile(r"^[0-9０-９+＋\-－ ()（）转,，;；/]*$")


class SignatureInvalid(ValueError):
    """``str(e)`` is the Chinese message; nothing was saved."""


def signature_defaults(engine: Engine, username: str | None, year: int | None) -> dict[str, str]:
    """{'unit', 'preparer', 'reviewer', 'phone'} for ``username`` (empty strings for an unknown account or
    none: the command line without ``--user``)."""
    out = {"unit": department_name(engine, year), "preparer": "", "reviewer": "", "phone": ""}
    if username:
        with Session(engine) as s:
            row = s.execute(select(User.name, User.username, User.phone, User.report_reviewer)
                            .where(User.username == username)).first()
        if row is not None:
            out.update(preparer=row[0] or row[1], phone=row[2] or "", reviewer=row[3] or "")
    return out


def _clean(value: str, label: str, limit: int) -> str:
    text = strip_invisible(str(value or ""), multiline=False).strip()
    if len(text) > limit:
        raise SignatureInvalid(f"{label}：最多{limit}字（当前{len(text)}字）")
    return text


def save_signature(engine: Engine, by: Principal | None, *, phone: str, reviewer: str) -> bool:
    """Store the acting account's 联系电话 and 审核人; returns whether anything changed. Raises
    ``PermissionDenied`` (not signed in, or the built-in command-line administrator, which has no account)
    or :class:`SignatureInvalid`."""
    if by is None or by.system:
        raise PermissionDenied("只有登录的账户可以保存自己的签章信息")
    phone = _clean(phone, "联系电话", MAX_PHONE)
    if not _PHONE.match(phone):
        raise SignatureInvalid("联系电话：只能包含数字、空格和 + - ( ) 转 等符号")
    reviewer = _clean(reviewer, "审核人", MAX_REVIEWER)
    with session_scope(engine) as s:
        take_write_lock(s)
        p = acting_principal(s, by)
        user = s.execute(select(User).where(User.username == p.username)).scalar_one()
        changed = False
        for field, label, new in (("phone", "联系电话", phone), ("report_reviewer", "审核人", reviewer)):
            old = getattr(user, field) or ""
            if old != new:
                setattr(user, field, new)
                s.add(AuditLog(username=p.username, action="update", entity="app_user", entity_id=user.id,
                               field=label, old=old, new=new))
                changed = True
        if changed:
            bump_revision(s, Changed.nothing())  # an account's signature fields: no status input
    return changed


__all__ = ["MAX_PHONE", "MAX_REVIEWER", "SignatureInvalid", "signature_defaults", "save_signature"]
