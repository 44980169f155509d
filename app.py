"""绩效双监控看板 — entry point: page config, navigation, run the chosen page."""

import streamlit as st

st.set_page_config(page_title="绩效双监控看板", page_icon="📊", layout="wide")

pages = [st.Page("pages/targets.py", title="绩效目标", icon="🎯", default=True)]
st.navigation(pages).run()
