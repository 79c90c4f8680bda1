"""The Python front door: the same settings and results as the CLI."""

import json

import pytest

import align
from align.errors import InputError
from align.model import AlignedPair, BuildResult
from conftest import EN_SENTENCES, RU_SENTENCES

pytestmark = pytest.mark.slow


def _files(tmp_path):
    src, tgt = tmp_path / "a.ru", tmp_path / "b.en"
    src.write_text("\n".join(RU_SENTENCES) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    return src, tgt


def test_align_pair_returns_flagged_links(tmp_path, session_cache):
    src, tgt = _files(tmp_path)
    pair = align.align_pair(src, tgt, "ru", "en", presegmented=True, cache_dir=session_cache.root)
    assert isinstance(pair, AlignedPair) and pair.mode == "parallel"
    assert [(link.src, link.tgt) for link in pair.links] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)),
                                                             ((3,), (3,)), ((4,), ()), ((5,), (4,))]
    assert [f.evidence for f in pair.links[3].flags if f.kind == "date"] == ["1924 ↔ 1925"]
    assert pair.links[4].flags[0].kind == "omission"
    bare = align.align_pair(src, tgt, "ru", "en", presegmented=True, cache_dir=session_cache.root, with_flags=False)
    assert all(not link.flags for link in bare.links)


def test_keyword_settings_reach_the_stages(tmp_path, session_cache):
    src, tgt = _files(tmp_path)
    merged = align.align_pair(src, tgt, "ru", "en", presegmented=True, cache_dir=session_cache.root,
                              align={"skip_penalty": 5.0}, flags={"names": False, "token_alignment": False})
    assert ((4,), ()) not in [(link.src, link.tgt) for link in merged.links]  # leaving out now costs too much
    assert not any(f.kind == "name" for link in merged.links for f in link.flags)
    with pytest.raises(InputError, match="unknown setting 'align.no_such'"):
        align.align_pair(src, tgt, "ru", "en", cache_dir=session_cache.root, align={"no_such": 1})


def test_build_returns_the_result_and_writes_what_the_cli_writes(parallel_dirs, tmp_path, session_cache):
    ru, en = parallel_dirs
    out = tmp_path / "out"
    result = align.build(ru, en, output=out, cache_dir=session_cache.root)
    assert isinstance(result, BuildResult) and len(result.pairs) == 1 and result.pairs[0].mode == "parallel"
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["command"] == "build" and set(run["outputs"]) <= {p.name for p in out.iterdir()}
    from typer.testing import CliRunner

    from align.cli import app

    cli_out = tmp_path / "cli"
    assert CliRunner().invoke(app, ["build", str(ru), str(en), "-o", str(cli_out),
                                    "--cache-dir", str(session_cache.root)]).exit_code == 0
    for name in ("links.jsonl", "pairs.tsv", "corpus.tmx", "review.md", "summary.md"):
        assert (out / name).read_bytes() == (cli_out / name).read_bytes(), name
