"""How a status is written in a table cell: a shape and a word, so colour is never the only signal.

Definitions chosen here:

* One shape per status, from the GB2312 set every CJK font has: it renders without an emoji font
  (Kylin/UOS desktops, headless browsers, Excel) and tells statuses apart without colour.
* :func:`status_text` is ``'▲ 红'``: the shape, a space, the status word of ``domain.status.STATUS_LABELS``.

Pure: no Streamlit, no database (the editors' tables and the read models both use it).
"""

from __future__ import annotations

from domain.status import AMBER, BLUE, GREEN, GREY, MISSING, RED, STATUS_LABELS

STATUS_ICONS = {RED: "▲", AMBER: "◆", GREEN: "●", BLUE: "★", GREY: "○", MISSING: "□"}


def status_text(status: str) -> str:
    """'▲ 红' — a shape and a word, so colour is never the only signal."""
    return f"{STATUS_ICONS[status]} {STATUS_LABELS[status]}"


__all__ = ["STATUS_ICONS", "status_text"]
