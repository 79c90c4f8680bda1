"""The HTML reader edition: one self-contained page (inline style and script, allowed by
their hashes in a strict Content-Security-Policy; no fonts, images or requests), rendered
by a Jinja2 template with every text escaped. Views switch by CSS alone, so the layout and
the toggles work with scripts off; the script only lights a sentence's counterpart."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

import jinja2

from align.export.edition import LANGUAGE_NAMES, Edition
from align.version import __version__

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def content_security_policy(css: str, js: str) -> str:
    """Nothing may load; only this page's own style and script run."""
    return (f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; img-src 'none'; "
            "font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")


def edition_html(edition: Edition) -> bytes:
    css, js = _asset("edition.css"), _asset("edition.js")
    meta = edition.meta
    page = _environment().get_template("edition.html.j2").render(
        meta=meta, sections=edition.sections, toc=edition.toc, src_notes=edition.src_notes,
        tgt_notes=edition.tgt_notes, css=css, js=js, csp=content_security_policy(css, js), version=__version__,
        src_name=LANGUAGE_NAMES.get(meta.src_lang, meta.src_lang),
        tgt_name=LANGUAGE_NAMES.get(meta.tgt_lang, meta.tgt_lang))
    return page.encode("utf-8")
