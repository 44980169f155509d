"""status-rebuild: the stored statuses (``data_access.status_store``) recomputed in the foreground, or
checked against a full recomputation."""

from __future__ import annotations

import argparse

from cli import command, engine_for, err


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="只核对：存储的状态与全部重新计算的结果是否一致")
    p.add_argument("--force", action="store_true", help="即使没有待计算的任务，也按当前规则全部重新计算")


@command("status-rebuild", "按当前规则重新计算存储的全部状态（修改规则后应用会在后台自动进行；此命令在前台完成并显示进度）",
         _configure)
def cmd_status_rebuild(args) -> int:
    from data_access.db import session_scope
    from data_access.status_store import jobs, lock_writers, start_generation, state
    from data_access.status_store.check import differences

    engine = engine_for(args)
    if args.check:
        diff = differences(engine)
        if diff:
            err(f"存储的状态与重新计算的结果不一致（前{len(diff)}处）：\n" + "\n".join(diff))
            return 1
        print("存储的状态与全部重新计算的结果一致。")
        return 0
    if args.force or (state(engine).rebuilding is False and state(engine).active_id is None):
        with session_scope(engine) as s:
            lock_writers(s)
            start_generation(s, "status-rebuild")

    def progress(done: int, total: int) -> None:
        print(f"\r已计算 {done}/{total} 个项目", end="", flush=True)

    if not state(engine).rebuilding:
        print("没有待计算的任务；状态已是最新（加 --force 可全部重新计算）。")
        return 0
    if not jobs.run_pending(engine, on_progress=progress):
        err("另一个进程正在计算，或计算期间规则又被修改；请稍后再试")
        return 1
    print("\n已完成：各页面在下次刷新时显示新计算的状态。")
    return 0
