"""Settings travel one road: defaults, then a TOML file, then explicit options; every
key and type is checked; the signature tells runs apart; the environment is only read."""

import os
import tomllib
from pathlib import Path

import pytest

from align.aligner import AlignConfig
from align.api import settings_from
from align.errors import InputError
from align.version import __version__
from align.settings import ENGINE_FIELDS, Settings, defaults_toml, known_keys, make_settings, parse_assignment


def test_defaults_toml_reads_back_as_the_defaults(tmp_path):
    config = tmp_path / "align.toml"
    config.write_text(defaults_toml(), encoding="utf-8")
    assert make_settings(config_file=config) == Settings()
    assert set(tomllib.loads(defaults_toml())) >= {"encoder", "align", "locate", "flags"}


def test_config_file_then_sets_then_options_win_in_that_order(tmp_path):
    config = tmp_path / "align.toml"
    config.write_text('encoder = "e5-small"\n[align]\nskip_penalty = 0.3\nband = 12\n[flags]\nnames = false\n',
                      encoding="utf-8")
    settings = make_settings(config_file=config, sets={"align.band": 14}, encoder="use-m3")
    assert settings.encoder == "use-m3"  # the option beats the file
    assert settings.align == AlignConfig(skip_penalty=0.3, band=14)  # --set beats the file
    assert settings.flags.names is False
    assert make_settings(config_file=config, encoder=None).encoder == "e5-small"  # unset options change nothing


@pytest.mark.parametrize("text,problem", [
    ('[align]\nskip_penalti = 0.3\n', "unknown setting 'align.skip_penalti'"),
    ('modle = "x"\n', "unknown setting 'modle'"),
    ('[align]\nband = "wide"\n', "'align.band' must be int"),
    ('[flags]\nnames = 1\n', "'flags.names' must be bool"),
    ('align = 3\n', "[align] must be a table"),
    ('[align\n', "not valid TOML"),
])
def test_bad_config_is_a_clear_error_naming_the_file(tmp_path, text, problem):
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        make_settings(config_file=config)
    assert str(config) in str(caught.value) and problem in str(caught.value)


def test_an_int_where_a_float_is_due_is_widened_and_sets_parse_as_toml():
    assert make_settings(align={"skip_penalty": 1}).align.skip_penalty == 1.0
    assert parse_assignment("align.band=12") == ("align.band", 12)
    assert parse_assignment("flags.names=false") == ("flags.names", False)
    assert parse_assignment("encoder=e5-small") == ("encoder", "e5-small")  # a bare string
    with pytest.raises(InputError):
        parse_assignment("align.band")


def test_keyword_arguments_set_any_section_field_and_unknown_ones_fail(tmp_path):
    settings = settings_from(cache_dir=tmp_path, align={"recheck": False}, locate={"candidates": 4},
                             flags={"token_alignment": False}, encoder="e5-small")
    assert settings.align.recheck is False and settings.locate.candidates == 4
    assert settings.flags.token_alignment is False and settings.cache.root == tmp_path
    assert settings_from(cache_dir=tmp_path, align=AlignConfig(band=3)).align.band == 3
    with pytest.raises(InputError, match="unknown setting 'locate.candidate'"):
        settings_from(cache_dir=tmp_path, locate={"candidate": 4})


def test_environment_is_a_fallback_read_once_and_never_written(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "env"))
    before = dict(os.environ)
    assert settings_from().cache.root == tmp_path / "env"
    assert settings_from(cache_dir=tmp_path / "explicit").cache.root == tmp_path / "explicit"
    assert dict(os.environ) == before
    monkeypatch.delenv("ALIGN_CACHE_DIR")
    assert settings_from().cache.root == Path.home() / ".cache" / "align"


def test_signature_records_every_setting_that_changes_the_output():
    default = Settings().signature()
    assert default == (f"align:{__version__}|enc:use-m3|words:e5-small|langs:ru-en|seg:split|align:default|"
                       "locate:default|flags:default|export:default")
    changed = make_settings(align={"skip_penalty": 0.3}).signature()
    assert changed != default and "align:default" not in changed and "locate:default" in changed
    assert make_settings(align={"skip_penalty": 0.3}).signature() == changed  # stable
    assert "words:my/labse:tokens" in make_settings(encoder="my/labse").signature()  # auto: the encoder's tokens
    assert "words:e5-small:tokens" in make_settings(encoder="e5-small", word_model="encoder").signature()
    assert "cache" not in default  # where the cache lives changes no output


def test_record_holds_every_field():
    record = Settings().record()
    assert set(record) == {"encoder", "word_model", "src_lang", "tgt_lang", "presegmented", "outputs", "max_input_mb",
                           "check_language", "align", "locate", "flags", "export", "cache"}
    assert record["align"]["skip_penalty"] == AlignConfig().skip_penalty
    assert all(key.split(".")[0] in record for key in known_keys() if key not in ("cache_dir", *ENGINE_FIELDS))
    assert Settings(workers=2).engine_record() == {"workers": 2, "engine": "local", "address": ""}


def test_explicit_cache_folder_beats_the_config_files(tmp_path):
    config = tmp_path / "align.toml"
    config.write_text(f'cache_dir = "{tmp_path / "from_toml"}"\npresegmented = true\n', encoding="utf-8")
    assert make_settings(config_file=config).cache.root == tmp_path / "from_toml"
    settings = settings_from(config=config, cache_dir=tmp_path / "explicit")
    assert settings.cache.root == tmp_path / "explicit" and settings.presegmented is True
    bad = tmp_path / "bad.toml"
    bad.write_text("cache_dir = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="'cache_dir' must be str"):
        make_settings(config_file=bad)


def test_arguments_left_out_keep_the_given_settings(tmp_path):
    base = Settings(src_lang="de", tgt_lang="fr", presegmented=True)
    settings = settings_from(settings=base, cache_dir=tmp_path)
    assert (settings.src_lang, settings.tgt_lang, settings.presegmented) == ("de", "fr", True)


@pytest.mark.parametrize("key,value", [("align.max_per_side", 0), ("align.band", -1), ("locate.candidates", 0),
                                       ("flags.token_layer", 99)])
def test_values_out_of_range_are_refused(key, value):
    with pytest.raises(InputError, match=f"setting '{key}' must be"):
        make_settings(sets={key: value})


def test_every_limit_names_a_setting():
    from align.settings import LIMITS

    assert set(LIMITS) <= set(known_keys())


def test_outputs_choose_the_files_and_enter_the_signature():
    from align.export import outputs_of
    from align.model import BuildResult

    settings = make_settings(sets={"outputs": ["links.jsonl", "corpus.tmx"]})
    assert settings.outputs == ("links.jsonl", "corpus.tmx")
    assert [w.name for w in outputs_of(BuildResult((), (), (), {}), settings.outputs)] == ["links.jsonl", "corpus.tmx"]
    assert "outputs:links.jsonl,corpus.tmx" in settings.signature()
    with pytest.raises(InputError, match="'outputs' must be tuple"):
        make_settings(sets={"outputs": "links.jsonl"})
