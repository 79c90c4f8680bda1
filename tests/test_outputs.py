"""The output set is all-or-nothing: swapped in at once, never mixed with an earlier run's
files, and never written over the inputs."""

import os
import subprocess
import sys
import textwrap

import pytest

from align.errors import InputError
from align.export import WRITERS, ExportContext, Writer, outputs_of, register
from align.fileio import check_output_path, write_file_set
from align.model import BuildResult


def test_new_set_replaces_the_old_one_and_keeps_foreign_files(tmp_path):
    out = tmp_path / "out"
    write_file_set(out, {"links.jsonl": b"old", "coverage.md": b"old coverage"}, owned=set(WRITERS))
    (out / "README.md").write_text("kept")
    write_file_set(out, {"links.jsonl": b"new"}, owned=set(WRITERS))
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "links.jsonl"]  # coverage.md of the old run gone
    assert (out / "links.jsonl").read_bytes() == b"new" and (out / "README.md").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left


def test_a_kill_between_two_output_files_leaves_the_previous_set(tmp_path):
    out = tmp_path / "out"
    write_file_set(out, {"a.txt": b"old a", "b.txt": b"old b"}, owned={"a.txt", "b.txt"})
    script = textwrap.dedent(f"""
        import os, signal
        from align import fileio
        real_chmod, calls = os.chmod, []
        def chmod(path, mode):
            real_chmod(path, mode)
            calls.append(path)
            if len(calls) == 1:  # the first file is written: die before the second
                os.kill(os.getpid(), signal.SIGKILL)
        fileio.os.chmod = chmod
        fileio.write_file_set({str(out)!r}, {{"a.txt": b"new a", "b.txt": b"new b"}}, owned={{"a.txt", "b.txt"}})
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == -9
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.txt": b"old a", "b.txt": b"old b"}
    write_file_set(out, {"a.txt": b"next a"}, owned={"a.txt", "b.txt"})  # the next run sweeps the dead staging
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and [p.name for p in out.iterdir()] == ["a.txt"]


def test_a_failing_writer_leaves_the_previous_set(tmp_path):
    out = tmp_path / "out"
    write_file_set(out, {"a.txt": b"old"}, owned={"a.txt"})

    class Boom(Exception):
        pass

    class Exploding(dict):
        def items(self):
            yield "a.txt", b"new"
            raise Boom

    with pytest.raises(Boom):
        write_file_set(out, Exploding(), owned={"a.txt"})
    assert (out / "a.txt").read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_output_paths_that_are_inputs_are_refused(tmp_path):
    ru, src = tmp_path / "ru", tmp_path / "ru" / "a.txt"
    ru.mkdir()
    src.write_text("x")
    for output in (src, ru, tmp_path):
        with pytest.raises(InputError, match="would overwrite the input"):
            check_output_path(output, [ru, src])
    check_output_path(tmp_path / "out", [ru, src])  # elsewhere: fine
    check_output_path(ru / "out", [ru, src])  # a subfolder of an input folder is not read as input


def test_a_writer_is_a_one_file_change(tmp_path):
    """A new output: register a Writer (in a module of align/export/, imported with the package)."""
    writer = register(Writer("count.txt", "number of pairs", lambda context: f"{len(context.result.pairs)}\n".encode()))
    try:
        result = BuildResult((), (), (), {})
        assert writer in outputs_of(result)
        context = ExportContext(result, {"signature": "s"}, "ru", "en")
        assert writer.render(context) == b"0\n"
        with pytest.raises(ValueError):
            register(Writer("count.txt", "again", writer.render))
    finally:
        del WRITERS["count.txt"]


def test_unknown_output_name_is_a_clear_error():
    with pytest.raises(InputError, match="unknown output 'links.jsn'"):
        outputs_of(BuildResult((), (), (), {}), ("links.jsn",))


def test_output_files_get_plain_permissions(tmp_path):
    out = tmp_path / "out"
    umask = os.umask(0o022)
    try:
        write_file_set(out, {"a.txt": b"x"}, owned={"a.txt"})
    finally:
        os.umask(umask)
    assert (out / "a.txt").stat().st_mode & 0o777 == 0o644 and out.stat().st_mode & 0o777 == 0o755


def test_a_killed_runs_staging_folder_is_swept_and_a_live_ones_kept(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.{dead.stdout.strip()}.abc.new"
    live = tmp_path / f".out.{os.getpid()}.xyz.new"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "a.txt").write_text("half")
    write_file_set(out, {"a.txt": b"new"}, owned={"a.txt"})
    assert not stale.exists() and live.exists()
    assert (out / "a.txt").read_bytes() == b"new"


def test_a_symlinked_output_folder_stays_a_link_to_the_new_set(tmp_path):
    real, link = tmp_path / "real", tmp_path / "link"
    real.mkdir()
    link.symlink_to(real)
    write_file_set(link, {"a.txt": b"one"}, owned={"a.txt"})
    write_file_set(link, {"a.txt": b"two"}, owned={"a.txt"})
    assert link.is_symlink() and (real / "a.txt").read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_the_current_folder_as_output(tmp_path, monkeypatch):
    out = tmp_path / "here"
    out.mkdir()
    monkeypatch.chdir(out)
    write_file_set(__import__("pathlib").Path("."), {"a.txt": b"x"}, owned={"a.txt"})
    assert (out / "a.txt").read_bytes() == b"x"
