"""The HTML reader edition: one self-contained page (inline style and script, allowed by
their hashes in a strict Content-Security-Policy; no fonts, images or requests), rendered
by a Jinja2 template with every text escaped. Views switch by CSS alone, so the layout and
the toggles work with scripts off; the script only lights a sentence's counterpart."""

from __future__ import annotations

from align.export.edition import LANGUAGE_NAMES, Edition
from align.export.pages import asset, content_security_policy, environment
from align.version import __version__


def edition_html(edition: Edition) -> bytes:
    css, js = asset("edition.css"), asset("edition.js")
    meta = edition.meta
    page = environment().get_template("edition.html.j2").render(
        meta=meta, sections=edition.sections, toc=edition.toc, src_notes=edition.src_notes,
        tgt_notes=edition.tgt_notes, css=css, js=js, csp=content_security_policy(css, js), version=__version__,
        src_name=LANGUAGE_NAMES.get(meta.src_lang, meta.src_lang),
        tgt_name=LANGUAGE_NAMES.get(meta.tgt_lang, meta.tgt_lang))
    return page.encode("utf-8")
