"""The app-wide style of Streamlit's own chrome, injected once per run by app.py (every page, the login
screen included).

Definitions chosen here (Streamlit 1.67 ships its chrome in English only, so where a parameter cannot
make it Chinese, the English is hidden and the app says it in Chinese):

* the options menu (Print, Record a screencast, Settings) is switched off in ``.streamlit/config.toml``
  (``client.toolbarMode = "minimal"`` with no menu items);
* the hover toolbar of grids and charts (Download as CSV, Search, Fullscreen, Show data and its
  English tooltips, "140 results") is hidden: every table has the app's own 导出Excel / 导出CSV
  buttons and the filter bar does the searching;
* the grid's column menu (Sort ascending, Pin column, …) is hidden; clicking a header still sorts;
* the file uploader's "Upload" button and "25MB per file • XLSX, CSV" line are replaced by
  「选择文件」 and 「或拖入文件，单个文件不超过25MB」 (the limit read from ``server.maxUploadSize``);
  the accepted formats are in each uploader's label;
* the main area starts right under the header: the default 6rem top padding is reduced to
  ``TOP_PADDING`` (one place, every page).
"""

from __future__ import annotations

import streamlit as st

TOP_PADDING = "2.5rem"  # the header bar is ~3.75rem tall and transparent; the title sits just under it


def _css(max_upload_mb: int) -> str:
    return f"""<style>
[data-testid='stElementToolbar'], [data-testid='stDataFrameColumnMenu'] {{display: none !important}}
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p {{display: none}}
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer']::after {{content: '选择文件'}}
[data-testid='stFileUploaderDropzoneInstructions'] span {{display: none}}
[data-testid='stFileUploaderDropzoneInstructions'] > div::after {{
  content: '或拖入文件，单个文件不超过{max_upload_mb}MB'; font-size: 0.875rem; opacity: 0.7}}
[data-testid='stMainBlockContainer'] {{padding-top: {TOP_PADDING}}}
</style>"""


def inject_chrome() -> None:
    """The style above, once per run (a hidden element, no layout gap)."""
    st.html(_css(int(st.get_option("server.maxUploadSize"))))


__all__ = ["TOP_PADDING", "inject_chrome"]
