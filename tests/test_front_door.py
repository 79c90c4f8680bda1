"""The front door without models: version, settings errors, the defaults, logging."""

import os
import tomllib

from typer.testing import CliRunner

import align
from align.cli import app
from align.version import __version__

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"align {__version__}"
    assert align.__version__ == __version__


def test_config_prints_defaults_that_toml_reads():
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    data = tomllib.loads(result.stdout)
    assert data["encoder"] == "use-m3" and data["align"]["skip_penalty"] == 0.2


def test_unknown_setting_is_one_line_and_exit_2(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    result = runner.invoke(app, ["build", str(ru), str(en), "-o", str(tmp_path / "out"), "--set", "align.skip=1"])
    assert result.exit_code == 2 and "unknown setting 'align.skip'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_missing_config_file_is_a_clear_error(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    missing = tmp_path / "nope.toml"
    result = runner.invoke(app, ["build", str(ru), str(en), "--config", str(missing)])
    assert result.exit_code == 2 and f"{missing}: config file does not exist" in " ".join(result.output.split())


def test_unknown_pair_format_is_a_clear_error(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("One.\n")
    result = runner.invoke(app, ["pair", str(a), str(a), "--src-lang", "en", "--tgt-lang", "en", "--format", "xml"])
    assert result.exit_code == 2 and "unknown --format 'xml'" in result.output


def test_python_api_has_real_signatures():
    import inspect

    assert set(align.__all__) >= {"align_pair", "build", "Settings", "settings_from", "open_corpus", "__version__"}
    params = inspect.signature(align.align_pair).parameters
    assert {"src", "tgt", "src_lang", "tgt_lang", "model", "word_model", "align", "flags", "config"} <= set(params)
    assert "kwargs" not in params and "args" not in params


def test_cache_commands_report_prune_and_clear(tmp_path):
    import json

    cache = tmp_path / "cache"
    (cache / "documents").mkdir(parents=True)
    (cache / "documents" / "a.pickle").write_bytes(b"x" * 5000)
    (cache / "index").mkdir()
    (cache / "index" / "ivf-10-abc.faiss").write_bytes(b"y" * 3000)
    os.utime(cache / "documents" / "a.pickle", (1_000_000, 1_000_000))  # the older entry goes first
    info = json.loads(runner.invoke(app, ["cache", "info", "--json", "--cache-dir", str(cache)]).stdout)
    assert info["root"] == str(cache) and info["bytes"]["documents"] == 5000 and info["bytes"]["total"] == 8000
    assert runner.invoke(app, ["cache", "prune", "--max-mb", "0.004", "--cache-dir", str(cache)]).exit_code == 0
    assert not (cache / "documents" / "a.pickle").exists() and (cache / "index" / "ivf-10-abc.faiss").exists()
    (cache / "documents" / "notes.txt").write_text("a user's file")  # not the cache's: never deleted
    assert runner.invoke(app, ["cache", "clear", "--cache-dir", str(cache)]).exit_code == 0
    info = json.loads(runner.invoke(app, ["cache", "info", "--json", "--cache-dir", str(cache)]).stdout)
    assert info["bytes"]["total"] == 0 and (cache / "documents" / "notes.txt").read_text() == "a user's file"
    for bad in ("-1", "nan", "inf"):
        result = runner.invoke(app, ["cache", "prune", "--max-mb", bad, "--cache-dir", str(cache)])
        assert result.exit_code == 2 and "Traceback" not in result.output, bad


def test_a_cache_path_that_is_a_file_is_one_line_and_exit_2(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["build", str(ru), str(en), "-o", str(tmp_path / "out"), "--cache-dir", str(blocker)])
    assert result.exit_code == 2 and "cache folder is a file" in result.output and "Traceback" not in result.output
    assert blocker.read_text() == "not a folder"


def test_pair_output_of_the_wrong_kind_is_refused_before_any_work(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("One.\n")
    folder, file = tmp_path / "folder", tmp_path / "file.txt"
    folder.mkdir()
    file.write_text("x")
    common = ["pair", str(a), str(a), "--src-lang", "en", "--tgt-lang", "en", "--cache-dir", str(tmp_path / "c")]
    result = runner.invoke(app, [*common, "--format", "tsv", "-o", str(folder)])
    assert result.exit_code == 2 and "with --format, -o names a file" in result.output
    result = runner.invoke(app, [*common, "-o", str(file)])
    assert result.exit_code == 2 and "is not a folder" in result.output
    assert not (tmp_path / "c").exists()  # refused before the encoder or the cache were touched


def test_outputs_command_lists_every_writer():
    from align.export import WRITERS

    result = runner.invoke(app, ["outputs"])
    assert result.exit_code == 0 and all(name in result.stdout for name in WRITERS)
