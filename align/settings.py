"""Every setting of a run in one frozen `Settings`, built once at the entry (the CLI or
the Python API) and handed down; nothing below the entry reads the environment.

Settings come from three layers, later ones winning: the dataclasses' own defaults, a
TOML file (``--config``), explicit options (CLI flags, ``--set section.field=value``, or
keyword arguments). An unknown key or a value of the wrong type is a clear error. The
run signature (sacrebleu-style) records every setting in one line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from align.aligner import AlignConfig
from align.cache import CacheFolder, resolve_cache
from align.errors import InputError
from align.flags import FlagConfig
from align.locate import LocateConfig
from align.version import __version__
from align.wordcache import word_model_name



@dataclass(frozen=True)
class ExportConfig:
    """How the outputs are written. ``tmx_min_score``: a link scoring below it (the cosine,
    -1..1) is left out of corpus.tmx and written to corpus.flagged.tmx, beside the links with
    a major or critical flag, so a CAT tool's main memory holds only links worth trusting."""

    tmx_min_score: float = 0.0


# The config sections: a TOML table each, and a keyword argument of the Python API each.
SECTIONS: dict[str, type] = {"align": AlignConfig, "locate": LocateConfig, "flags": FlagConfig,
                             "export": ExportConfig}
# The values a text setting may take.
CHOICES: dict[str, tuple[str, ...]] = {"engine": ("local", "ray")}
# Where the work runs: never in the signature or the settings record, since no output
# depends on it (tests/test_engine.py builds one corpus on each engine and compares the
# files byte for byte); run.json keeps them apart, beside the date (`engine_record`).
ENGINE_FIELDS = ("workers", "engine", "address")
# Least (and greatest) values of the numeric settings whose other values make no sense.
LIMITS: dict[str, tuple[float, float | None]] = {
    "max_input_mb": (0.001, 1e6), "workers": (1, 4096),
    "align.max_per_side": (1, None), "align.band": (1, None), "align.coarse_size": (2, None),
    "align.neighbours": (1, None), "align.anchor_window": (0, None), "align.min_scale": (1e-6, None),
    "align.skip_penalty": (0, None), "align.merge_penalty": (0, None), "align.paragraph_penalty": (0, None),
    "align.paragraph_skip_penalty": (0, None), "align.paragraph_start_penalty": (0, None),
    "align.turn_start_penalty": (0, None), "align.speech_skip_penalty": (0, None),
    "align.free_margin": (0, 2), "align.close_margin": (0, 2),
    "locate.candidates": (1, None), "locate.neighbours": (1, None), "locate.rounds": (1, None),
    "locate.context": (0, None), "locate.ann_threshold": (0, None), "locate.ann_probe": (1, None),
    "locate.relation_word_cosine": (-1.0, 1.0), "locate.quote_words": (0.0, 1.0), "locate.retelling_words": (0.0, 1.0),
    "locate.rendered_links": (0.0, 1.0),
    "locate.translation_cosine": (-1.0, 1.0), "locate.retelling_cosine": (-1.0, 1.0),
    "locate.retelling_order": (0.0, 1.0), "locate.partial_linked": (0.0, 1.0), "locate.partial_word_gap": (0.0, 1.0),
    "locate.partial_length_ratio": (1e-6, 1.0),
    "flags.min_links": (1, None), "flags.token_layer": (1, 12), "flags.partial_min_words": (1, None),
    "flags.partial_major_run": (1, None), "export.tmx_min_score": (-1.0, 1.0),
}


@dataclass(frozen=True)
class Settings:
    """What a run does. ``word_model`` "auto" is e5-small beside the built-in encoders and
    the sentence encoder's own token embeddings beside any other sentence-transformers model
    (`align.wordcache.word_model_name`)."""

    encoder: str = "use-m3"
    word_model: str = "auto"
    src_lang: str = "ru"
    tgt_lang: str = "en"
    presegmented: bool = False
    outputs: tuple[str, ...] = ()  # output file names to write (`align outputs`); empty: every one the run has
    max_input_mb: float = 100.0  # larger input files are refused (a clear error, not hours of reading)
    check_language: bool = True  # refuse a document in another language than its side's, warn on a mixed one
    workers: int = 1  # worker processes (local pool) or Ray workers; 1 with engine "local": this process
    engine: str = "local"  # "local" (this machine) or "ray" (a Ray cluster: pip install 'align[cluster]')
    address: str = ""  # the Ray cluster ("auto", "ray://host:10001"); empty: a Ray instance of this process
    align: AlignConfig = AlignConfig()
    locate: LocateConfig = LocateConfig()
    flags: FlagConfig = FlagConfig()
    export: ExportConfig = ExportConfig()
    cache: CacheFolder = field(default_factory=lambda: CacheFolder(Path.home() / ".cache" / "align"))

    @property
    def max_bytes(self) -> int:
        return int(self.max_input_mb * 1_000_000)

    @property
    def word_model_id(self) -> str:
        """The word model the flags use, with "auto" resolved."""
        return word_model_name(self.word_model, self.encoder)

    def record(self) -> dict[str, Any]:
        """Every field but where the run ran (`ENGINE_FIELDS`) as plain JSON values (configs
        as tables), for run.json."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ENGINE_FIELDS:
                continue
            value = getattr(self, f.name)
            if dataclasses.is_dataclass(value) and not isinstance(value, CacheFolder):
                out[f.name] = dataclasses.asdict(value)
            elif isinstance(value, CacheFolder):
                out[f.name] = str(value.root)
            else:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def engine_record(self) -> dict[str, Any]:
        """Where the run ran (run.json's ``engine``, left out of the corpus database)."""
        return {name: getattr(self, name) for name in ENGINE_FIELDS}

    def signature(self) -> str:
        """One line that tells two runs apart: version, encoders, languages, segmentation,
        and each config section as "default" or a hash of its fields (run.json has them all)."""
        parts = [f"align:{__version__}", f"enc:{self.encoder}", f"words:{self.word_model_id}",
                 f"langs:{self.src_lang}-{self.tgt_lang}", f"seg:{'lines' if self.presegmented else 'split'}"]
        if self.outputs:
            parts.append(f"outputs:{','.join(self.outputs)}")
        for name, cls in SECTIONS.items():
            value = getattr(self, name)
            parts.append(f"{name}:{'default' if value == cls() else _digest(dataclasses.asdict(value))}")
        return "|".join(parts)


def make_settings(base: Settings | None = None, *, config_file: Path | None = None,
                  sets: Mapping[str, Any] | None = None, **options: Any) -> Settings:
    """Settings from ``base`` (default: the defaults), then a TOML ``config_file``, then
    ``sets`` (dotted keys such as ``"align.skip_penalty"``), then ``options``: top-level
    fields, or a section (``align=``, ``locate=``, ``flags=``, ``export=``) as a config object or a
    mapping of its fields, and ``cache`` (a `CacheFolder` or a path). ``None`` options are
    ignored, so unset CLI flags change nothing."""
    settings = base or Settings()
    if config_file is not None:
        settings = _apply(settings, _read_toml(config_file), str(config_file))
    if sets:
        settings = _apply(settings, _nest(sets), "--set")
    given = {k: v for k, v in options.items() if v is not None}
    for name in SECTIONS:
        if isinstance(given.get(name), SECTIONS[name]):
            settings = replace(settings, **{name: given.pop(name)})
    cache = given.pop("cache", None)
    if cache is not None:
        settings = replace(settings, cache=cache if isinstance(cache, CacheFolder) else resolve_cache(Path(cache), {}))
    return _apply(settings, given, "settings")


def parse_assignment(text: str) -> tuple[str, Any]:
    """``section.field=value`` → (key, value); the value is read as TOML (numbers, booleans,
    quoted strings), else taken as a bare string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InputError(None, f"--set needs KEY=VALUE, got {text!r}")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value


def known_keys() -> list[str]:
    """Every settable key, dotted (``align.skip_penalty``), in declaration order."""
    keys = [f.name for f in fields(Settings) if f.name not in SECTIONS and f.name != "cache"] + ["cache_dir"]
    return keys + [f"{name}.{f.name}" for name, cls in SECTIONS.items() for f in fields(cls)]


def defaults_toml() -> str:
    """The default settings as a TOML file a user can edit and pass to ``--config``."""
    settings = Settings()
    lines = ["# align settings (defaults); pass with --config FILE"]
    for f in fields(Settings):
        if f.name not in SECTIONS and f.name != "cache":
            lines.append(f"{f.name} = {_toml_value(getattr(settings, f.name))}")
    lines.append('# cache_dir = "~/.cache/align"  # default: $ALIGN_CACHE_DIR, else this')
    for name in SECTIONS:
        lines += ["", f"[{name}]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in dataclasses.asdict(getattr(settings, name)).items()]
    return "\n".join(lines) + "\n"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "config file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read config file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"not valid TOML: {exc}") from None


def _nest(sets: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in sets.items():
        section, dot, name = key.partition(".")
        if dot:
            nested.setdefault(section, {})[name] = value
        else:
            nested[key] = value
    return nested


def _apply(settings: Settings, data: Mapping[str, Any], source: str) -> Settings:
    """``settings`` with ``data`` (top-level fields and section tables) applied; every key
    and value type is checked against the dataclass field it sets."""
    top = {f.name: f for f in fields(Settings) if f.name not in SECTIONS}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, Mapping):
                raise InputError(source, f"[{key}] must be a table of settings, got {value!r}")
            changes[key] = _apply_section(getattr(settings, key), key, value, source)
        elif key in top and key != "cache":
            changes[key] = _in_range(_checked(value, top[key].default, key, source), key, source)
        elif key == "cache_dir":
            changes["cache"] = resolve_cache(Path(_checked(value, "", key, source)), {})
        else:
            raise InputError(source, f"unknown setting {key!r} (known: {', '.join(known_keys())})")
    return replace(settings, **changes)


def _apply_section(config: Any, section: str, data: Mapping[str, Any], source: str) -> Any:
    own = {f.name: f for f in fields(config)}
    changes = {}
    for key, value in data.items():
        if key not in own:
            known = ", ".join(f"{section}.{name}" for name in own)
            raise InputError(source, f"unknown setting {section + '.' + key!r} (known: {known})")
        changes[key] = _in_range(_checked(value, getattr(type(config)(), key), f"{section}.{key}", source),
                                 f"{section}.{key}", source)
    return replace(config, **changes)


def _in_range(value: Any, key: str, source: str) -> Any:
    if key in CHOICES and value not in CHOICES[key]:
        raise InputError(source, f"setting {key!r} must be one of {', '.join(CHOICES[key])}, got {value!r}")
    least, most = LIMITS.get(key, (None, None))
    if (least is not None and value < least) or (most is not None and value > most):
        bounds = f"at least {least}" if most is None else f"between {least} and {most}"
        raise InputError(source, f"setting {key!r} must be {bounds}, got {value!r}")
    return value


def _checked(value: Any, default: Any, key: str, source: str) -> Any:
    """``value`` if it has the type of the field's default (an int where a float is due is
    widened); a clear error otherwise."""
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(default, bool)
    elif isinstance(default, tuple):  # a list of strings (TOML arrays)
        ok = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
    elif isinstance(default, float):
        ok = isinstance(value, (int, float))
        value = float(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise InputError(source, f"setting {key!r} must be {type(default).__name__}, got {value!r}")
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _digest(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
