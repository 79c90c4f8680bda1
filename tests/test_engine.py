"""Engines (align/engine): the same build on one process, a local pool and a Ray cluster
gives byte-identical outputs; a worker killed mid-run is replaced and its tasks run again;
engine settings are checked and change neither the signature nor the corpus database."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from align.cache import CacheFolder, SqliteStore
from align.components import load_components
from align.embed import EMBEDDING_SCHEMA
from align.errors import InputError
from align.flags import FlagConfig
from align.settings import Settings, make_settings
from conftest import EN_SENTENCES, RU_SENTENCES

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ALIGN = [PYTHON, "-c", "import sys; from align.cli import app; sys.argv[0] = 'align'; app()"]


# --- settings ------------------------------------------------------------------------------

def test_engine_settings_are_checked():
    with pytest.raises(InputError, match="'engine' must be one of local, ray"):
        make_settings(engine="spark")
    with pytest.raises(InputError, match="'workers' must be between 1"):
        make_settings(workers=0)
    assert make_settings(workers=3, engine="ray", address="auto").engine_record() == {
        "workers": 3, "engine": "ray", "address": "auto"}


def test_where_a_run_ran_changes_neither_signature_nor_settings_record():
    spread = make_settings(workers=4, engine="ray", address="ray://head:10001")
    assert spread.signature() == Settings().signature()
    assert spread.record() == Settings().record()


def test_ray_engine_without_ray_is_one_clear_error(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from align.cli import app

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray → ImportError
    ru, en = tmp_path / "ru", tmp_path / "en"
    ru.mkdir(), en.mkdir()
    (ru / "a.txt").write_text(RU_SENTENCES[0], encoding="utf-8")
    (en / "a.txt").write_text(EN_SENTENCES[0], encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(ru), str(en), "-o", str(tmp_path / "out"), "--engine", "ray"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: --engine ray needs Ray: pip install 'align[cluster]'"
    assert not (tmp_path / "out").exists()


def test_an_address_without_the_ray_engine_is_an_error(tmp_path):
    from align.engine import open_engine

    settings = Settings(cache=CacheFolder(tmp_path / "cache"), address="auto")
    with pytest.raises(InputError, match="give --engine ray too"):
        open_engine(settings, load_components(settings, progress=False))


@pytest.mark.slow
def test_a_bad_file_read_by_a_worker_is_the_usual_one_line_error(tmp_path):
    ru, en = tmp_path / "ru", tmp_path / "en"
    ru.mkdir(), en.mkdir()
    (ru / "a.txt").write_bytes(b"")
    (en / "a.txt").write_text(EN_SENTENCES[0], encoding="utf-8")
    done = subprocess.run([*ALIGN, "build", str(ru), str(en), "-o", str(tmp_path / "out"), "--workers", "2",
                           "--cache-dir", str(tmp_path / "cache")], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"error: {ru / 'a.txt'}: ") and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_ann_search_travels_as_its_index(tmp_path):
    """The locate search is built once by the driver and sent to the workers: a faiss index
    pickles as its serialised bytes and answers the same queries after the trip."""
    import pickle

    import numpy as np

    import align.engine.tasks  # noqa: F401  (registers the reducer)
    from align.locate import LocateConfig
    from align.locate.search import AnnSearch, make_search

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(600, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    search = make_search(vectors, LocateConfig(ann_threshold=100, ann_probe=4), tmp_path / "index")
    travelled = pickle.loads(pickle.dumps(search))
    assert isinstance(travelled, AnnSearch) and travelled.index.nprobe == 4
    for before, after in zip(search.search(vectors[:20], 5), travelled.search(vectors[:20], 5)):
        assert np.array_equal(before, after)


# --- tasks for the engines' own tests (module level: spawned workers import them) ----------

def double_task(state, shared, item):
    return item * 2 + (shared or 0)


def caching_task(state, shared, item):
    """Computes a cache row on the side, as the aligner's re-check does."""
    state.parts[0].store.put_many([(f"key-{item}".encode(), b"\0" * 4)])
    return item


def dying_task(state, shared, item):
    """Kills its own worker process the first time it runs item 3 (a marker file says so)."""
    marker = Path(shared)
    if item == 3 and not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return item * 10


def _state(cache: CacheFolder):
    from align.engine.tasks import worker_state

    settings = Settings(cache=cache, flags=FlagConfig(token_alignment=False))
    return settings, worker_state(settings, load_components(settings, progress=False))


def test_local_engine_runs_in_order_and_the_driver_writes_the_rows(tmp_path):
    from align.engine.local import LocalEngine

    settings, state = _state(CacheFolder(tmp_path / "cache"))
    with LocalEngine(state) as engine:
        assert engine.map(double_task, [1, 2, 3], shared=10) == [12, 14, 16]
        assert engine.map(caching_task, [5, 6]) == [5, 6]
    stored = SqliteStore(settings.cache.embeddings, "embeddings", EMBEDDING_SCHEMA).get_many([b"key-5", b"key-6"])
    assert set(stored) == {b"key-5", b"key-6"}


@pytest.mark.slow
def test_pool_engine_replaces_a_killed_worker_and_runs_its_tasks_again(tmp_path, caplog):
    from align.engine.pool import PoolEngine

    settings, state = _state(CacheFolder(tmp_path / "cache"))
    marker = tmp_path / "killed"
    with PoolEngine(state, 2) as engine:
        assert engine.map(double_task, list(range(6)), shared=1) == [1, 3, 5, 7, 9, 11]
        assert engine.map(dying_task, list(range(8)), shared=str(marker)) == [i * 10 for i in range(8)]
        assert engine.map(caching_task, [7]) == [7]  # the fresh pool goes on
    assert marker.exists() and "a worker process died" in caplog.text
    assert SqliteStore(settings.cache.embeddings, "embeddings", EMBEDDING_SCHEMA).get_many([b"key-7"])


# --- whole builds ----------------------------------------------------------------------------

@pytest.fixture
def corpus(tmp_path, session_cache):
    """Three parallel pairs by name and one English text to locate; a cache folder of its
    own (the session's converted e5 model linked in), emptied before each build."""
    from align.e5_convert import build_e5_model

    build_e5_model(session_cache.e5_model)
    ru, en = tmp_path / "ru", tmp_path / "en"
    ru.mkdir(), en.mkdir()
    texts = {"whole": (RU_SENTENCES, EN_SENTENCES), "start": (RU_SENTENCES[:3], EN_SENTENCES[:3]),
             "end": (RU_SENTENCES[3:], EN_SENTENCES[3:])}
    for stem, (ru_lines, en_lines) in texts.items():
        (ru / f"{stem}.txt").write_text("\n\n".join(ru_lines) + "\n", encoding="utf-8")
        (en / f"{stem}.txt").write_text("\n\n".join(en_lines) + "\n", encoding="utf-8")
    (ru / "letter.txt").write_text(" ".join(RU_SENTENCES[1:5]) + "\n", encoding="utf-8")
    (en / "excerpt.txt").write_text(" ".join(EN_SENTENCES[1:3]) + "\n", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(session_cache.models, target_is_directory=True)
    return ru, en, cache


def _cold(cache: Path) -> None:
    for part in ("embeddings.sqlite3", "embeddings.sqlite3-journal", "documents", "index"):
        target = cache / part
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _build(corpus, out: Path, *options: str, env: dict | None = None, during=None) -> subprocess.CompletedProcess:
    """``align build`` as a user runs it, on a cold cache; ``during(process)`` runs beside it."""
    ru, en, cache = corpus
    _cold(cache)
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    process = subprocess.Popen([*ALIGN, "-q", "build", str(ru), str(en), "-o", str(out), "--cache-dir", str(cache),
                                *options], cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    watcher = threading.Thread(target=during, args=(process,)) if during else None
    if watcher:
        watcher.start()
    stdout, stderr = process.communicate(timeout=900)
    if watcher:
        watcher.join()
    assert process.returncode == 0, stderr
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "run.json"}


def _assert_same(first: Path, second: Path) -> None:
    a, b = _files(first), _files(second)
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert len(a) > 10  # links, tables, TMX, database, editions…


def _children(pid: int, word: str) -> list[int]:
    """Processes whose parent is ``pid`` (or any, with pid 0) and whose command line has ``word``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if (pid == 0 or int(stat[1]) == pid) and word in cmdline:
            found.append(int(entry.name))
    return found


def _kill_first(pid: int, word: str, killed: list[int], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not killed:
        for child in _children(pid, word):
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                continue
            killed.append(child)
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_pool_build_is_byte_identical_to_one_process_even_when_a_worker_is_killed(corpus, tmp_path):
    serial, pooled, killed_run = tmp_path / "serial", tmp_path / "pool", tmp_path / "killed"
    _build(corpus, serial)
    _build(corpus, pooled, "--workers", "2")
    _assert_same(serial, pooled)
    killed: list[int] = []
    result = _build(corpus, killed_run, "--workers", "2",
                    during=lambda process: _kill_first(process.pid, "spawn_main", killed))
    assert killed and "a worker process died" in result.stderr
    _assert_same(serial, killed_run)


# --- a Ray cluster of two nodes on this machine ------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ray_cluster():
    """`ray start --head` plus one more node, one CPU each and a small object store, each
    `--block`ed in a process group of its own; at the end both groups are ended (only the
    processes this fixture started, never every Ray process of the machine)."""
    pytest.importorskip("ray", reason="ray is not installed (pip install 'align[cluster]')")
    ray_bin = Path(PYTHON).parent / "ray"
    temp = Path(os.path.realpath("/tmp")) / f"ray-align-{os.getpid()}"
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_AUTH_MODE": "disabled"}
    common = ["--block", "--num-cpus", "1", "--object-store-memory", "200000000", "--disable-usage-stats",
              "--node-ip-address", "127.0.0.1"]
    head = [str(ray_bin), "start", "--head", "--port", str(port), "--include-dashboard", "false",
            "--temp-dir", str(temp), "--min-worker-port", "20000", "--max-worker-port", "20999", *common]
    node = [str(ray_bin), "start", "--address", f"127.0.0.1:{port}", "--min-worker-port", "21000",
            "--max-worker-port", "21999", *common]
    started: list[subprocess.Popen] = []
    try:
        for command in (head, node):
            started.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            start_new_session=True))
            _wait_for_nodes(ray_bin, f"127.0.0.1:{port}", len(started), env)
        yield f"127.0.0.1:{port}", env
    finally:
        for process in reversed(started):
            _end_group(process)
        shutil.rmtree(temp, ignore_errors=True)


def _wait_for_nodes(ray_bin: Path, address: str, count: int, env: dict, timeout: float = 180) -> None:
    """Until `ray status` (read from the head's GCS, no dashboard needed) lists ``count`` live nodes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = subprocess.run([str(ray_bin), "status", "--address", address], env=env, capture_output=True,
                                text=True, timeout=60)
        active = status.stdout.split("Active:", 1)[-1].split("Pending:", 1)[0] if status.returncode == 0 else ""
        if active.count("node_") >= count:
            return
        time.sleep(1)
    raise RuntimeError(f"the Ray cluster at {address} did not come up with {count} nodes")


def _end_group(process: subprocess.Popen) -> None:
    """End a `ray start --block` and every process it started (its own process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=30)
            time.sleep(1)
        except subprocess.TimeoutExpired:
            continue
        if not _group_alive(process.pid):
            return


def _group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                return True
        except OSError:
            continue
    return False


@pytest.mark.slow
def test_ray_build_on_two_nodes_is_byte_identical_even_when_a_worker_is_killed(corpus, tmp_path, ray_cluster):
    address, env = ray_cluster
    serial, on_ray, killed_run = tmp_path / "serial", tmp_path / "ray", tmp_path / "killed"
    _build(corpus, serial)
    options = ("--engine", "ray", "--address", address, "--workers", "2")
    _build(corpus, on_ray, *options, env=env)
    _assert_same(serial, on_ray)
    killed: list[int] = []  # the embedding actor (Ray Data restarts it and runs its batch again)
    _build(corpus, killed_run, *options, env=env, during=lambda process: _kill_first(0, "ModelActor", killed))
    assert killed
    _assert_same(serial, killed_run)


@pytest.mark.slow
def test_ray_tasks_are_retried_when_their_worker_dies(tmp_path, ray_cluster):
    import ray

    from align.engine.ray_engine import RayEngine

    address, _ = ray_cluster
    settings, state = _state(CacheFolder(tmp_path / "cache"))
    marker = tmp_path / "killed"
    sys.path.insert(0, str(Path(__file__).parent))  # so that Ray workers import this module too
    ray.init(address=address, runtime_env={"env_vars": {"PYTHONPATH": f"{ROOT}:{Path(__file__).parent}"}})
    try:
        engine = RayEngine(state, 2, address)
        assert engine.map(double_task, list(range(5)), shared=1) == [1, 3, 5, 7, 9]
        assert engine.map(dying_task, list(range(6)), shared=str(marker)) == [i * 10 for i in range(6)]
        assert engine.map_models(double_task, [4, 5]) == [8, 10]
        assert engine.map(caching_task, [8]) == [8]
    finally:
        ray.shutdown()
    assert marker.exists()
    assert SqliteStore(settings.cache.embeddings, "embeddings", EMBEDDING_SCHEMA).get_many([b"key-8"])
