"""Download buttons for "export exactly what is on screen".

    export_buttons(df, what="风险清单", as_of=as_of, filters=filters, key="risks")

``df`` is the frame the page shows (a ``data_access.views`` read model, hidden ``_`` columns included:
they colour the status cells and are not exported). The files are built only when a button is
clicked (``data=callable`` runs on a separate thread), so rendering the page costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
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
) -> None:
    """Two buttons side by side: 导出Excel (.xlsx with colours, frozen header, print setup) and
    导出CSV (UTF-8 with BOM). ``what`` names the table (file name, sheet and title)."""
    now = local_now()
    frame = df.copy()  # the page may reuse its frame; the builders run later on another thread
    subtitle = export_subtitle(filters.describe(), as_of, now)
    sheet = what

    def build_xlsx() -> bytes:
        return frame_to_xlsx(frame, title=title or what, subtitle=subtitle, sheet_name=sheet,
                             status_column_map=status_column_map)

    def build_csv() -> bytes:
        return frame_to_csv(frame)

    empty = frame.empty
    # one row at content width: the two buttons sit next to each other, not half a page apart
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "导出Excel", data=build_xlsx, file_name=export_filename(what, as_of, now, "xlsx"), mime=XLSX_MIME,
            key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:", disabled=disabled or empty,
            help=f"导出当前筛选结果（{len(frame)}行）为Excel，保留状态颜色，可直接打印",
        )
        st.download_button(
            "导出CSV", data=build_csv, file_name=export_filename(what, as_of, now, "csv"), mime=CSV_MIME,
            key=f"{key}_csv", on_click="ignore", icon=":material/download:", disabled=disabled or empty,
            help="导出当前筛选结果为CSV（UTF-8，Excel可直接打开）",
        )
