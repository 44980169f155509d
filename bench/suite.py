"""The product benchmark behind ``python manage.py bench``: every figure with its target and, where one
makes sense, a baseline measured in the same run.

Each measurement is a function ``(ctx) -> Result``; ``run(scale, db_url)`` prepares a scratch database
(a temporary SQLite file, or a temporary database on the PostgreSQL server named by ``--db``), runs
them in order and returns the JSON document.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    name: str
    seconds: float | None
    baseline_seconds: float | None = None
    max_ratio: float | None = None
    target_seconds: float | None = None
    peak_mb: float | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        if self.seconds is None:
            return False
        if self.target_seconds is not None and self.seconds > self.target_seconds:
            return False
        if self.max_ratio is not None and self.baseline_seconds:
            return self.seconds <= self.max_ratio * self.baseline_seconds
        return True


@dataclass
class Context:
    scale: str
    url: str  # the scratch database
    year: int = 2024
    as_of: date = date(2024, 9, 30)
    extra: dict = field(default_factory=dict)


def timed(fn: Callable, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def traced_peak_mb(fn: Callable) -> float:
    """Peak Python heap allocation of one call, in MB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 1024 / 1024, 1)


# --------------------------------------------------------------------------- scratch databases


class ScratchDatabase:
    """A temporary database: a SQLite file, or a fresh database on a PostgreSQL server."""

    def __init__(self, server_url: str | None):
        self.server_url = server_url
        self.url = ""
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._pg_name: str | None = None

    def __enter__(self) -> "ScratchDatabase":
        if self.server_url and self.server_url.startswith(("postgres://", "postgresql")):
            import psycopg

            admin = self.server_url.replace("postgresql+psycopg://", "postgresql://")
            self._pg_name = f"bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(admin, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{self._pg_name}"')
            self.url = admin.rsplit("/", 1)[0] + "/" + self._pg_name
        else:
            self._tmp = tempfile.TemporaryDirectory(prefix="bench_")
            self.url = f"sqlite:///{self._tmp.name}/bench.db"
        return self

    def __exit__(self, *exc) -> None:
        if self._pg_name:
            import psycopg

            admin = self.server_url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(admin, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
        if self._tmp:
            self._tmp.cleanup()


# --------------------------------------------------------------------------- measurements


def bench_import(ctx: Context) -> Result:
    """Import of the 2024 document into an empty database (parse + store, one transaction)."""
    from data_access.db import make_engine, migrate
    from documents.targets_io import read_target_document
    from seed.loader import SEED_DOCUMENT, import_file

    with ScratchDatabase(ctx.extra.get("server")) as db:
        engine = make_engine(db.url)
        migrate(engine)
        seconds = timed(lambda: import_file(engine, SEED_DOCUMENT))
        engine.dispose()
    data = SEED_DOCUMENT.read_bytes()
    parse_only = timed(lambda: read_target_document(data, SEED_DOCUMENT.name, 2024), repeat=3)
    return Result("导入2024年目标文件（解析+入库）", seconds, baseline_seconds=parse_only, target_seconds=1.0,
                  note="基线：仅解析不入库")


def bench_synth(ctx: Context) -> Result:
    from data_access.bulk import load_city
    from data_access.db import make_engine, migrate
    from seed.synth import generate_city

    sizes = ctx.extra["sizes"]
    t = time.perf_counter()
    data = generate_city(**sizes, periods=4, seed=1)
    gen = time.perf_counter() - t
    engine = make_engine(ctx.url)
    migrate(engine)
    t = time.perf_counter()
    load_city(engine, data)
    load = time.perf_counter() - t
    engine.dispose()
    return Result(f"合成数据入库（{sizes['projects']}项目/{sizes['indicators']}指标，4个季度）", gen + load,
                  target_seconds=60.0, note=f"生成{gen:.1f}秒+入库{load:.1f}秒")


def bench_status(ctx: Context) -> list[Result]:
    from data_access.db import make_engine
    from data_access.monitoring import load_inputs, load_settings
    from domain.status import evaluate_all

    engine = make_engine(ctx.url)
    settings = load_settings(engine)
    as_of = ctx.as_of
    load = timed(lambda: load_inputs(engine, ctx.year, as_of), repeat=2)
    inputs = load_inputs(engine, ctx.year, as_of)
    compute = timed(lambda: evaluate_all(inputs, as_of, settings, ctx.year), repeat=3)
    peak = traced_peak_mb(lambda: evaluate_all(inputs, as_of, settings, ctx.year))
    n_ind = sum(len(p.indicators) for p in inputs)
    engine.dispose()
    return [
        Result(f"状态计算（{len(inputs)}项目/{n_ind}指标）", compute, target_seconds=0.5, peak_mb=peak),
        Result("读取状态计算的输入（数据库→对象）", load, target_seconds=2.0),
    ]


MEASUREMENTS: list[Callable[[Context], Result | list[Result]]] = [bench_import, bench_synth, bench_status]


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def run(scale: str = "district", db_url: str | None = None) -> dict:
    sizes = {
        "city": {"departments": 200, "projects": 5000, "indicators": 40000},
        "district": {"departments": 20, "projects": 500, "indicators": 4000},
        "tiny": {"departments": 4, "projects": 40, "indicators": 320},
    }[scale]
    results: list[Result] = []
    with ScratchDatabase(db_url) as db:
        ctx = Context(scale=scale, url=db.url, as_of=date(2024, 12, 31), extra={"sizes": sizes, "server": db_url})
        for m in MEASUREMENTS:
            out = m(ctx)
            results.extend(out if isinstance(out, list) else [out])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append(Result("基准进程峰值内存（RSS）", None, peak_mb=round(rss, 1)))
    return {
        "machine": machine(),
        "scale": scale,
        "database": "postgresql" if db_url and db_url.startswith("postgres") else "sqlite",
        "date": date.today().isoformat(),
        "results": [{k: v for k, v in asdict(r).items()} for r in results],
    }


def format_table(doc: dict) -> str:
    lines = [f"规模 {doc['scale']} · 数据库 {doc['database']} · {doc['machine']['platform']} · {doc['machine']['cpus']}核",
             f"{'项目':<40} {'秒':>8} {'基线秒':>8} {'倍数上限':>8} {'目标秒':>8} {'峰值MB':>8}  结果"]
    for r in doc["results"]:
        res = Result(**r)
        def f(v, fmt="{:.3f}"):
            return "—" if v is None else fmt.format(v)
        verdict = "" if r["seconds"] is None and r["target_seconds"] is None else ("通过" if res.ok else "未达标")
        lines.append(f"{r['name']:<40} {f(r['seconds']):>8} {f(r['baseline_seconds']):>8} {f(r['max_ratio'], '{:.1f}'):>8} "
                     f"{f(r['target_seconds'], '{:.1f}'):>8} {f(r['peak_mb'], '{:.1f}'):>8}  {verdict} {r['note']}")
    return "\n".join(lines)
