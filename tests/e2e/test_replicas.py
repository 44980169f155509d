"""Two Streamlit replicas on one PostgreSQL database, and nginx in front of them.

* ``replicas``: a fresh PostgreSQL database (``manage.py init`` once), two ``streamlit run app.py``
  processes on two free ports with the same ``STREAMLIT_SERVER_COOKIE_SECRET`` and ``AUTH_COOKIE_KEY``
  (as ``deploy/monitoring.env.example`` asks). Skipped when PostgreSQL is unreachable, failed with
  ``REQUIRE_POSTGRES=1``.
* ``nginx``: ``deploy/nginx.conf`` — the production server block, kept as documented — rendered with the
  two replica ports and a free high listen port, wrapped in a test-only ``events {}`` / ``http {}`` with
  its own error/access logs, pid and temp paths in a temporary prefix, and run in the foreground
  (``nginx -p TMP -c TMP/nginx.conf -g 'daemon off; pid …;'``); no root needed. Skipped when nginx is
  not installed, failed when it is required (``REQUIRE_NGINX=1`` or ``CI=true``: ``.ci/run`` installs it).

What it shows: a value saved through replica A is what the leader sees through replica B — after B has
already cached the old value (the caches are keyed on the database's revision counter) —, through
nginx the app loads, signs in and runs over the proxied websocket, and a 3 MB 佐证材料 uploaded through
nginx (beyond nginx's default 1 MB body limit) is in the evidence ZIP downloaded from the other replica.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import _create_pg_db, _drop_pg_db, _pg_url
from tests.e2e.conftest import (
    ROOT,
    VIEWPORT,
    entry_grid,
    free_port,
    grid_cell_text,
    grid_row,
    login,
    open_page,
    project_indicators,
    save_entry,
    start_app,
    stop_app,
    type_into_cell,
    wait_idle,
)
from tests.evidence_files import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.xdist_group("replicas")]  # one worker, one pair

PROJECT = "学校维修资金"
INDICATOR = "维修学校的数量"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
REQUIRE_NGINX = os.environ.get("REQUIRE_NGINX") == "1" or os.environ.get("CI") == "true"


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def replicas(pg_server, tmp_path_factory):
    """Replica A and replica B (``AppServer``s) sharing one fresh PostgreSQL database."""
    name = _create_pg_db()
    url = _pg_url(name)
    shared = {"AUTH_COOKIE_KEY": secrets.token_urlsafe(32),
              "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32)}
    started = []
    try:
        started.append(start_app(tmp_path_factory.mktemp("replica_a"), db_url=url, env=shared))
        started.append(start_app(tmp_path_factory.mktemp("replica_b"), db_url=url, init=False, env=shared))
        yield tuple(started)
    finally:
        for server in started:
            stop_app(server)
        _drop_pg_db(name)


def render_nginx_conf(prefix: Path, upstream_ports: list[int], listen_port: int) -> str:
    """A complete nginx.conf for a non-root test run: deploy/nginx.conf (a server-block include) with the
    replica ports and the listen port substituted, inside ``events {}`` and ``http {}``."""
    site = NGINX_CONF.read_text(encoding="utf-8")
    upstreams = re.findall(r"(?m)^\s*server 127\.0\.0\.1:\d+\b", site)
    assert len(upstreams) == len(upstream_ports), f"deploy/nginx.conf upstream servers: {upstreams}"
    ports = iter(upstream_ports)
    site = re.sub(r"(?m)^(\s*server 127\.0\.0\.1:)\d+\b", lambda m: f"{m.group(1)}{next(ports)}", site)
    site, n = re.subn(r"(?m)^(\s*)listen 80;", rf"\g<1>listen 127.0.0.1:{listen_port};", site)
    assert n == 1, "deploy/nginx.conf: expected one 'listen 80;'"
    temp = "\n".join(f"    {d}_temp_path {prefix / d};" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        "# test-only wrapper around deploy/nginx.conf (rendered by tests/e2e/test_replicas.py)\n"
        "worker_processes 1;\n"
        f"error_log {prefix / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {prefix / 'access.log'};\n"
        f"{temp}\n"
        + "\n".join(f"    {line}" if line else "" for line in site.splitlines())
        + "\n}\n"
    )


@pytest.fixture(scope="module")
def nginx(replicas):
    """nginx in front of both replicas on a free port; yields ``SimpleNamespace(url, prefix)``."""
    exe = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if exe is None:
        if REQUIRE_NGINX:
            pytest.fail("nginx is required here (REQUIRE_NGINX=1 or CI=true) but not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    # a world-readable prefix (not pytest's 0700 tree): run as root, nginx's workers drop to an
    # unprivileged user and must reach their temp paths
    prefix = Path(tempfile.mkdtemp(prefix="e2e-nginx-"))
    prefix.chmod(0o755)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(render_nginx_conf(prefix, [_port(s.url) for s in replicas], port), encoding="utf-8")
    cmd = [exe, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf),
           "-g", f"daemon off; pid {prefix / 'nginx.pid'};"]
    check = subprocess.run([*cmd, "-t"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    log = open(prefix / "nginx.out", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def error_log() -> str:
        return (prefix / "error.log").read_text(errors="replace")[-4000:] if (prefix / "error.log").exists() else ""

    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {proc.returncode}:\n{error_log()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not proxy /_stcore/health in 30s:\n{error_log()}")
            time.sleep(0.2)
        yield SimpleNamespace(url=url, prefix=prefix, error_log=error_log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)  # graceful shutdown of this nginx (master and its worker)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()
        shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture
def new_page(browser):
    """Fresh browser contexts (separate cookies: separate users), closed at the end."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(60_000)  # two replicas, nginx and two browsers share 2 cores
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def _leader_value(page) -> tuple[str, str]:
    grid = project_indicators(page, PROJECT)
    row = grid_row(grid, "三级指标", INDICATOR)
    return grid_cell_text(page, grid, row, "当前值"), grid_cell_text(page, grid, row, "状态")


def test_value_saved_on_one_replica_is_seen_on_the_other(replicas, new_page):
    a, b = replicas
    assert a.url != b.url and a.db_url == b.db_url

    # the leader on replica B reads (and B caches) the demo value first
    leader = new_page()
    login(leader, b, "leader", "demo-leader")
    value, status = _leader_value(leader)
    assert value == "0所" and "绿" in status, (value, status)  # a whole unit, judged by its projection until year end

    # staff save a new value through replica A
    staff = new_page()
    login(staff, a, "jiaoyu", "demo-jiaoyu")
    grid = entry_grid(staff, PROJECT)
    row = grid_row(grid, "三级指标", INDICATOR)
    assert grid_cell_text(staff, grid, row, "当前完成值") == "0"
    type_into_cell(staff, grid, row, "当前完成值", "1")
    save_entry(staff)

    # the same leader session on replica B, next run: the new value and status
    open_page(leader, "总览")
    value, status = _leader_value(leader)
    assert value == "1所" and "绿" in status, (value, status)
    assert leader.url.startswith(b.url)


def test_through_nginx_the_app_loads_signs_in_and_runs_over_the_websocket(replicas, nginx, new_page):
    page = new_page()
    sockets, frames = [], []

    def on_websocket(ws):
        sockets.append(ws)
        ws.on("framereceived", lambda payload: frames.append(ws.url))

    page.on("websocket", on_websocket)
    login(page, nginx, "leader", "demo-leader")  # the login form itself comes over the websocket
    assert page.url.startswith(nginx.url)
    page.get_by_role("heading", name="总览").wait_for()
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_text("预算总额（万元）", exact=True).first.is_visible()
    open_page(page, "风险清单")  # another script run over the same proxied websocket
    page.get_by_role("heading", name="风险清单").wait_for()

    stream = f"ws://127.0.0.1:{_port(nginx.url)}/_stcore/stream"
    assert [ws.url for ws in sockets] == [stream]  # one connection, through nginx, still open
    assert not sockets[0].is_closed()
    assert frames.count(stream) > 10
    assert "[error]" not in nginx.error_log(), nginx.error_log()


def test_evidence_uploaded_through_nginx_is_served_by_the_other_replica(replicas, nginx, new_page):
    big = pdf_bytes() + b"%" * (3 * 1024 * 1024)  # a 3 MB scan: more than nginx's default body limit
    staff = new_page()
    login(staff, nginx, "jiaoyu", "demo-jiaoyu")
    entry_grid(staff, PROJECT)
    uploader = staff.locator("[data-testid='stFileUploader']").filter(has_text="选择文件（PDF")
    uploader.locator("input[type='file']").set_input_files(
        files=[{"name": "维修验收单.pdf", "mimeType": "application/pdf", "buffer": big}])
    uploader.get_by_text("维修验收单.pdf").wait_for()
    staff.get_by_role("button", name="上传佐证材料").click()
    wait_idle(staff)
    staff.locator("[data-testid='stMain'] [data-testid='stAlert']").filter(has_text="已上传1个佐证材料").wait_for()

    _, b = replicas
    admin = new_page()
    login(admin, b, "admin", "demo-admin")
    open_page(admin, "填报期管理")
    with admin.expect_download() as info:
        admin.get_by_role("button", name=re.compile(r"下载2024年第三季度佐证材料（ZIP，1个文件")).click()
    z = zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes()))
    assert z.read(f"[无编码]教育科-{PROJECT}/预算执行/维修验收单.pdf") == big
    assert "[error]" not in nginx.error_log(), nginx.error_log()


def test_nginx_config_is_the_documented_one():
    """The test renders deploy/nginx.conf, not a copy: the production file keeps sticky sessions, the
    websocket upgrade on /_stcore/stream and the health check."""
    site = NGINX_CONF.read_text(encoding="utf-8")
    assert "ip_hash;" in site
    assert re.search(r"location /_stcore/stream \{[^}]*proxy_set_header Upgrade \$http_upgrade;", site)
    assert "location /_stcore/health" in site
    rendered = render_nginx_conf(Path("/tmp/x"), [1111, 2222], 3333)
    assert "127.0.0.1:1111" in rendered and "127.0.0.1:2222" in rendered and "listen 127.0.0.1:3333;" in rendered
    assert "8501" not in rendered and "listen 80;" not in rendered
