"""The admin's extension of the indicator vocabulary (``domain.vocabulary``), stored as one setting.

A mapping is added from the import preview ("treat 项目产出指标 as 产出指标"); it then applies to every
later import, on the page and on the command line. Admin only, one transaction, audited (the word, its
canonical word), and the data revision is bumped.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import AuditLog, Setting
from data_access.permissions import Principal, require_admin
from domain.vocabulary import LEVEL_LABELS, Vocabulary, normalise_word

VOCABULARY_KEY = "import_vocabulary"


def load_vocabulary(engine: Engine) -> Vocabulary:
    with Session(engine) as s:
        row = s.get(Setting, VOCABULARY_KEY)
    return Vocabulary.from_setting(row.value if row else None)


def add_vocabulary_mapping(engine: Engine, level: str, word: str, canonical: str, by: Principal | None) -> Vocabulary:
    """Map ``word`` to ``canonical`` for all later imports; returns the new vocabulary. Raises
    ``PermissionDenied`` or ``ValueError`` (Chinese) for a mapping ``Vocabulary.with_mapping`` refuses."""
    username = require_admin(by).username
    with session_scope(engine) as s:
        take_write_lock(s)
        acting_principal(s, by)
        row = s.get(Setting, VOCABULARY_KEY)
        old = Vocabulary.from_setting(row.value if row else None)
        new = old.with_mapping(level, word, canonical)
        if new == old:
            return new
        if row is None:
            s.add(Setting(key=VOCABULARY_KEY, value=new.to_setting(), updated_by=username))
        else:
            row.value = new.to_setting()
            row.updated_by = username
        before = old.extra.get(level, {}).get(normalise_word(word))
        s.add(AuditLog(username=username, action="update", entity="setting", field=VOCABULARY_KEY, old=before,
                       new=canonical, detail=f"导入词表：{LEVEL_LABELS[level]}“{word.strip()}”按“{canonical}”导入"))
        bump_revision(s, Changed.nothing())  # the words of later imports, no stored indicator
    return new
