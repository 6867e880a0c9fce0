"""Faults mid-run (#14 §3): a worker killed, the disk filling, two commands writing one folder,
Ctrl-C in every command that writes. Each fails with a clear message, leaves nothing half-written
and keeps every earlier result as it was."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from growthsim.cli import app
from growthsim.output import staging

from .conftest import REPO

runner = CliRunner()
UPSIDE = str(REPO / "scenarios" / "luolong-2023-upside.toml")
SMALL = ["-n", "2048"]
# each command that writes, with where it writes (a folder, or the report's one file)
WRITERS = {
    "run": ["run", *SMALL, "--out", "{out}"],
    "compare": ["compare", str(REPO / "scenarios" / "luolong-2023-baseline.toml"), UPSIDE, *SMALL, "--out", "{out}"],
    "sensitivity": ["sensitivity", "-i", "gdp", *SMALL, "--out", "{out}"],
    "report": ["report", *SMALL, "--analysis-draws", "1000", "--html", "{out}"],
}


def _args(command: str, out) -> list[str]:
    return [str(out) if arg == "{out}" else arg for arg in WRITERS[command]]


def _target(tmp_path, command: str):
    return tmp_path / ("report.html" if command == "report" else "out")


def _snapshot(folder) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its digest."""
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, folder)] = hashlib.sha256(file.read()).hexdigest()
    return found


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """An earlier result of every writing command, made once: each test copies them."""
    folder = tmp_path_factory.mktemp("earlier")
    for command in WRITERS:
        (folder / command).mkdir()
        result = runner.invoke(app, _args(command, _target(folder / command, command)))
        assert result.exit_code == 0, result.output
    return folder


def _with_earlier(tmp_path, earlier, command):
    import shutil

    shutil.copytree(earlier / command, tmp_path, dirs_exist_ok=True)
    return _snapshot(tmp_path)


def _interrupt_while_writing(monkeypatch, command: str) -> None:
    """Ctrl-C (or a full disk) as the command writes its files: after the first file of a folder is
    staged, or as the report's file is written whole but not yet in place."""
    if command == "report":
        real = os.replace

        def replace(source, destination, *args, **kwargs):
            if str(destination).endswith(".html"):
                raise KeyboardInterrupt
            return real(source, destination, *args, **kwargs)

        monkeypatch.setattr(staging.os, "replace", replace)
        return
    real_write = staging.StagedOutput.write_text

    def write_text(self, name, text, bom=False):
        real_write(self, name, text, bom)
        raise KeyboardInterrupt

    monkeypatch.setattr(staging.StagedOutput, "write_text", write_text)


@pytest.mark.parametrize("command", list(WRITERS))
def test_ctrl_c_while_writing_leaves_the_earlier_result_as_it_was(tmp_path, earlier, monkeypatch, command):
    before = _with_earlier(tmp_path, earlier, command)
    _interrupt_while_writing(monkeypatch, command)
    result = runner.invoke(app, _args(command, _target(tmp_path, command)))
    assert result.exit_code == 130, result.output
    assert _snapshot(tmp_path) == before  # nothing half-written, no staging or lock file left


@pytest.mark.parametrize("command", ["run", "compare", "sensitivity"])
def test_a_full_disk_while_writing_says_so_and_keeps_the_earlier_result(tmp_path, earlier, monkeypatch, command):
    before = _with_earlier(tmp_path, earlier, command)
    real_write = staging.StagedOutput.write_text

    def write_text(self, name, text, bom=False):
        real_write(self, name, text[: len(text) // 2], bom)  # half of it, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(staging.StagedOutput, "write_text", write_text)
    result = runner.invoke(app, _args(command, _target(tmp_path, command)))
    assert result.exit_code == 1 and "磁盘已满" in result.output and "没有写出任何文件" in result.output
    assert _snapshot(tmp_path) == before


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX resource limits")
@pytest.mark.parametrize("command", list(WRITERS))
def test_a_file_size_limit_hit_mid_write_in_a_real_process_keeps_the_earlier_result(tmp_path, earlier, command):
    """The system itself refuses the write (as a full disk does), part-way through a file."""
    import resource

    before = _with_earlier(tmp_path, earlier, command)
    limit = 6_000  # below summary.csv (8 kB), the workbooks and the report: each fails mid-file

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "growthsim", *_args(command, _target(tmp_path, command))],
        preexec_fn=limited,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLCONFIGDIR": str(tmp_path.parent / "mpl")},
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "文件超过了系统允许的大小" in done.stderr and "内部错误" not in done.stderr
    assert _snapshot(tmp_path) == before


def test_a_second_command_writing_the_same_folder_fails_at_once_and_the_first_wins_whole(tmp_path, earlier):
    before = _with_earlier(tmp_path, earlier, "run")
    holder = staging.StagedOutput(tmp_path / "out")  # another command, mid-run
    try:
        result = runner.invoke(app, _args("run", tmp_path / "out"))
        assert result.exit_code == 1, result.output
        assert "另一个 growthsim 命令正在写入" in result.output
    finally:
        holder.discard()
    assert _snapshot(tmp_path) == before
    assert runner.invoke(app, _args("run", tmp_path / "out")).exit_code == 0  # the lock went with it


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX race between two processes")
def test_two_processes_writing_one_folder_one_wins_whole_the_other_says_why(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "growthsim", "run", "-n", "4000000", "-w", "1", "--out", str(out)]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / ".out.lock").exists():  # the first holds the folder
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert first.wait(timeout=120) == 0
    assert second.returncode == 1 and "另一个 growthsim 命令正在写入" in second.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "summary.csv", "summary.json", "summary.xlsx"]


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as file:
            return [int(child) for child in file.read().split()]
    except OSError:
        return []


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="finds the workers through Linux's /proc")
def test_a_worker_killed_mid_run_fails_the_run_clearly_and_leaves_nothing(tmp_path):
    """multiprocessing.Pool replaced a killed worker and waited for its lost share for ever."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "growthsim", "run", "-n", "100000000", "-w", "2", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(process.pid)) < 2:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # well into their shares
        os.kill(workers[0], signal.SIGKILL)
        assert process.wait(timeout=60) == 1  # the run had minutes to go
    finally:
        if process.poll() is None:
            process.kill()
    assert "工作进程" in process.stderr.read()
    assert list(tmp_path.iterdir()) == []
