"""绩效双监控看板 — entry point: page config, start-up checks, login, role-based navigation.

Pages are listed in ONE table: ``components/navigation.py`` (``PAGES``). Add a page there, not here.
"""

import streamlit as st

from components.auth import require_login, startup_checks
from components.chrome import inject_chrome
from components.navigation import navigate
from components.state import get_engine
from components.todo import sidebar_todo

st.set_page_config(page_title="绩效双监控看板", page_icon="📊", layout="wide")
inject_chrome()  # Streamlit's English chrome hidden or said in Chinese, the top padding (components/chrome.py)

engine = get_engine()
config = startup_checks(engine)  # production: refuse unsafe settings; development: demo accounts on an empty database
# stops the run until signed in; registers the pages (navigate) before any component renders. The login
# screen registers every page hidden, so that the page of a link opened before login (/risks?unit=…) is the
# page shown after it
principal, page = require_login(engine, config, navigate)
sidebar_todo(principal)  # 待办 under the menu on every page: each count links to the filtered page
page.run()
