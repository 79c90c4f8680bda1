"""What the self-contained HTML pages share (the reader edition, review.html): their
Jinja2 templates (every text autoescaped), their inline style and script, and the strict
Content-Security-Policy that lets only those run, by their hashes."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@cache
def asset(name: str) -> str:
    """A style sheet or script of ``templates/``, inlined into a page."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def content_security_policy(css: str, js: str) -> str:
    """Nothing may load; only this page's own style and script run."""
    return (f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; img-src 'none'; "
            "font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")
