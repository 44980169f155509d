"""Download buttons for "export exactly what is on screen".

    export_buttons(df, what="风险清单", as_of=as_of, filters=filters, key="risks")

``df`` is the frame the page shows (a ``data_access.views`` read model, hidden ``_`` columns included:
they colour the status cells and are not exported). The buttons say what the file holds: all rows of
the table (``导出Excel（全部53行）``), or, when the page shows only the first rows of a longer list
(``total``), exactly those (``导出Excel（所示前10项，共53项）``). The files are built only when a button is
clicked (``data=callable`` runs on a separate thread), so rendering the page costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

import pandas as pd
import streamlit as st

from data_access.views import ViewFilters
from documents.table_export import (
    CSV_MIME,
    XLSX_MIME,
    export_filename,
    export_subtitle,
    frame_to_csv,
    frame_to_xlsx,
)
from domain.clock import to_local, utcnow


def local_now() -> datetime:
    """Now on the bureau's clock (Beijing time, naive), whatever the server's time zone."""
    return to_local(utcnow()).replace(tzinfo=None)


def export_scope(rows: int, total: int | None = None, query: str = "") -> str:
    """What an export holds, for its button: '全部53行', '所示前10项，共53项' for the shown head of a
    longer list, '筛选「教育」的12行' for the rows a grid's 「筛选」 box kept."""
    if total is not None and total > rows:
        return f"所示前{rows}项，共{total}项"
    return f"筛选「{query}」的{rows}行" if query else f"全部{rows}行"


def export_buttons(
    df: pd.DataFrame,
    *,
    what: str,
    as_of: date,
    filters: ViewFilters,
    key: str,
    title: str | None = None,
    status_column_map: Mapping[str, str] | None = None,
    disabled: bool = False,
    total: int | None = None,
    source: Callable[[], pd.DataFrame] | None = None,
    query: str = "",
) -> None:
    """Two buttons side by side: 导出Excel (.xlsx with colours, frozen header, print setup) and
    导出CSV (UTF-8 with BOM). ``what`` names the table (file name, sheet and title); ``total``: the
    length of the whole list when ``df`` is the part of it the page shows. ``source``: the whole list
    (``total`` rows) is read only when a button is clicked — the export holds all of it, though the page
    shows a part (a long list read a page at a time). ``query``: the grid's 「筛选」 text the rows were
    narrowed by (the buttons and the file's subtitle say so)."""
    now = local_now()
    frame = df.copy()  # the page may reuse its frame; the builders run later on another thread
    subtitle = export_subtitle(filters.describe() + (f"；含「{query}」的行" if query else ""), as_of, now)
    sheet = what

    def rows() -> pd.DataFrame:
        return source() if source is not None else frame

    def build_xlsx() -> bytes:
        return frame_to_xlsx(rows(), title=title or what, subtitle=subtitle, sheet_name=sheet,
                             status_column_map=status_column_map)

    def build_csv() -> bytes:
        return frame_to_csv(rows())

    empty = frame.empty
    scope = export_scope(total if source is not None and total is not None else len(frame),
                         None if source is not None else total, query)
    # one row at content width: the two buttons sit next to each other, not half a page apart
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            f"导出Excel（{scope}）", data=build_xlsx, file_name=export_filename(what, as_of, now, "xlsx"), mime=XLSX_MIME,
            key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:", disabled=disabled or empty,
            help=f"导出{scope}为Excel（当前筛选：{filters.describe()}），保留状态颜色，可直接打印",
        )
        st.download_button(
            f"导出CSV（{scope}）", data=build_csv, file_name=export_filename(what, as_of, now, "csv"), mime=CSV_MIME,
            key=f"{key}_csv", on_click="ignore", icon=":material/download:", disabled=disabled or empty,
            help=f"导出{scope}为CSV（UTF-8，Excel可直接打开；当前筛选：{filters.describe()}）",
        )
