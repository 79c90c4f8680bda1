"""Fault injection: the real `align pair` run in a subprocess, killed (``os._exit``) or failed
(an ``OSError``) at each write of the output set, and at the swap; the output folder then
holds the previous complete set or the new one, byte for byte, and a killed run's staging
folder is swept by the next run. A real full disk and a folder made read-only mid-run (a
tmpfs in a private mount namespace) end in one line, exit code 2, the previous set intact.

The faults are injected by the test's own runner script (it wraps ``open`` and
``_exchange`` inside ``align.fileio`` before calling the CLI); the product has no hook."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import EN_SENTENCES, RU_SENTENCES

ROOT = Path(__file__).resolve().parents[1]
# Runs the CLI with argv[3:]; argv[1] is the fault ("kill", "fail", "none", or "readonly":
# remount the output's file system read-only just before the set is written), argv[2] the
# event it strikes at: the n-th file written into the staging folder (after half its bytes),
# then the swap (before it, and after it). run.json's date is frozen, so that two runs of the
# same inputs are byte-identical.
RUNNER = textwrap.dedent("""
    import atexit, errno, os, subprocess, sys
    from datetime import datetime, timezone

    import align.export.run as run_module
    from align import fileio

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 1, tzinfo=timezone.utc)

    run_module.datetime = Frozen
    fault, at = sys.argv[1], int(sys.argv[2])
    events = 0
    atexit.register(lambda: print(f"fault runner: {events} writes begun", file=sys.stderr))

    def strike():
        global events
        events += 1
        if events != at:
            return
        if fault == "kill":
            os._exit(137)
        if fault == "fail":
            raise OSError(errno.EIO, "Input/output error (injected)")

    class HalfWritten:
        def __init__(self, handle):
            self.handle = handle
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.handle.close()
        def write(self, data):
            if events + 1 == at:
                self.handle.write(data[:len(data) // 2])
                self.handle.flush()
            strike()
            return self.handle.write(data)

    real_open, real_exchange, real_write_set = open, fileio._exchange, fileio.write_file_set
    fileio.open = lambda path, mode="r", *args, **kwargs: HalfWritten(real_open(path, mode, *args, **kwargs))

    def exchange(a, b):
        strike()
        real_exchange(a, b)
        strike()

    def write_file_set(folder, files, owned):
        if fault == "readonly":
            subprocess.run(["mount", "-o", "remount,ro", os.path.dirname(os.path.abspath(folder))], check=True)
        real_write_set(folder, files, owned)

    fileio._exchange = exchange
    import align.export.registry as registry
    registry.write_file_set = write_file_set

    from align.cli import app
    sys.argv = ["align", *sys.argv[3:]]
    app()
""")


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def _put(folder, tree):
    for name, data in tree.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def _env(cache):
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "ALIGN_CACHE_DIR": str(cache)}


def _align(fault, at, args, out, cache):
    return subprocess.run([sys.executable, "-c", RUNNER, fault, str(at), *map(str, args), str(out)],
                          capture_output=True, text=True, env=_env(cache))


@pytest.fixture(scope="module")
def versions(tmp_path_factory, session_cache):
    """A pair whose English side changed since the last run: the run's arguments (all but
    the output folder), the previous run's set (with a file of the user's beside it) and
    the set a run of the changed pair writes."""
    folder, cache = tmp_path_factory.mktemp("versions"), session_cache.root
    ru, en = folder / "a.ru.txt", folder / "a.en.txt"
    ru.write_text("\n".join(RU_SENTENCES) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    args = ["-q", "pair", ru, en, "--src-lang", "ru", "--tgt-lang", "en", "--presegmented", "-o"]
    assert _align("none", 0, args, folder / "old", cache).returncode == 0
    en.write_text("\n".join(EN_SENTENCES[:3] + ["An added sentence of the new version."] + EN_SENTENCES[3:]) + "\n",
                  encoding="utf-8")
    done = _align("none", 0, args, folder / "new", cache)
    assert done.returncode == 0, done.stderr
    mine = {"notes.txt": b"the user's own file"}
    old, new = _tree(folder / "old") | mine, _tree(folder / "new") | mine
    assert new != old and set(new) == set(old)
    return args, old, new


@pytest.fixture
def out(tmp_path, versions):
    """The output folder, holding the previous run's set."""
    folder = tmp_path / "work" / "out"
    folder.mkdir(parents=True)
    _put(folder, versions[1])
    return folder


def _staging(out):
    return sorted(p.name for p in out.parent.iterdir() if p != out)


@pytest.mark.slow
def test_a_kill_at_any_output_write_leaves_the_old_or_the_new_set(versions, out, session_cache):
    args, old, new = versions
    writes = len(old) - 1  # every file of the set but the user's is written
    seen = []
    for at in range(1, writes + 3):  # each file, then before and after the swap
        done = _align("kill", at, args, out, session_cache.root)
        assert done.returncode == 137, (at, done.stderr)
        state = _tree(out)
        assert state in (old, new), f"a kill at write {at} left a mixed folder"
        seen.append("new" if state == new else "old")
        assert len(_staging(out)) <= 1  # the dead run's staging folder, swept by the next run
    assert seen == ["old"] * (writes + 1) + ["new"]  # the swap is the one moment the set changes
    done = _align("none", 0, args, out, session_cache.root)
    assert done.returncode == 0 and _tree(out) == new and _staging(out) == []


@pytest.mark.slow
def test_a_failed_write_is_one_line_and_leaves_the_old_set(versions, out, session_cache):
    args, old, new = versions
    writes = len(old) - 1
    for at in (1, writes // 2, writes, writes + 1):  # the first, a middle and the last file, the swap
        done = _align("fail", at, args, out, session_cache.root)
        assert done.returncode == 2, (at, done.stderr)
        message = " ".join(done.stderr.split())
        assert message.startswith("error:") and "Traceback" not in done.stderr
        assert "cannot write the outputs (Input/output error (injected))" in message
        assert "previous outputs are left as they were" in message
        assert _tree(out) == old and _staging(out) == []


def _private_mount():
    """``unshare`` and ``mount`` of a tmpfs work here (root in a system that allows mount
    namespaces), else the reason why not."""
    if shutil.which("unshare") is None:
        return "no unshare command"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else f"cannot mount a tmpfs in a private namespace: {probe.stderr.strip()}"


def _in_tmpfs(tmp_path, previous, fault, args, cache, room_kb=None):
    """Run `align` with the output folder on a tmpfs in a private mount namespace, holding
    a copy of the previous set (and, given ``room_kb``, filled up to leave only that much
    room); the folder's state afterwards is copied out (the tmpfs goes with the namespace)."""
    disk, after = tmp_path / "disk", tmp_path / "after"
    disk.mkdir()
    runner = [sys.executable, "-c", RUNNER, fault, "0", *map(str, args), disk / "out"]
    script = " && ".join([
        f"mount -t tmpfs -o size=4m tmpfs {disk}",
        f"cp -a {previous} {disk}/out",
        "true" if room_kb is None else
        f"dd if=/dev/zero of={disk}/filler bs=1k count=$(( $(df -k --output=avail {disk} | tail -1) - {room_kb} ))"
        " 2>/dev/null",
        f"(\"$@\"; echo $? > {tmp_path}/rc)",
        f"rm -f {disk}/filler; mount -o remount,rw {disk}; cp -a {disk} {after}",
    ])
    done = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *map(str, runner)],
                          capture_output=True, text=True, env=_env(cache))
    return int((tmp_path / "rc").read_text()), done.stderr, after


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["full", "readonly"])
def test_a_full_disk_or_a_read_only_folder_mid_run_keeps_the_previous_set(versions, out, tmp_path, session_cache,
                                                                          fault):
    reason = _private_mount()
    if reason:
        pytest.skip(reason)
    args, old, new = versions
    # Room for the new set but its last 4 KB page (tmpfs allocates whole pages; the user's file is a link).
    room = sum(-(-len(data) // 4096) * 4 for name, data in new.items() if name != "notes.txt") - 4
    rc, stderr, after = _in_tmpfs(tmp_path, out, "none" if fault == "full" else "readonly", args, session_cache.root,
                                  room if fault == "full" else None)
    message = " ".join(stderr.split())
    assert rc == 2, stderr
    problem = "No space left on device" if fault == "full" else "Read-only file system"
    assert message.startswith("error:") and "Traceback" not in stderr
    assert f"cannot write the outputs ({problem})" in message, message
    begun = int(re.search(r"fault runner: (\d+) writes begun", stderr).group(1))
    assert (begun >= 2) if fault == "full" else (begun == 0), stderr  # the disk fills up mid-set
    assert _tree(after / "out") == old
    assert sorted(p.name for p in after.iterdir()) == ["out"]  # no staging folder left
