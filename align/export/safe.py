"""Text as every output format can hold it, and as no reader can mistake for markup.

`plain`: characters XML 1.0 cannot hold (C0 controls but tab and line breaks, U+FFFE,
U+FFFF, lone surrogates) become spaces, in every format alike (a space keeps words apart
and lengths equal). `cell`: a spreadsheet cell that cannot start a formula (OWASP's CSV
injection advice: a leading ``= + - @`` or tab gets a ``'``; a carriage return, which
ends a row in spreadsheets and csv readers even inside a cell, becomes a space). `md`: a
Markdown run of text in which nothing is markup: no raw HTML, links, emphasis or table
cell breaks; `md_path`: a file name as a code span."""

from __future__ import annotations

import re

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t")
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>|&~])")


def plain(text: str) -> str:
    return _XML_FORBIDDEN.sub(" ", text)


def cell(text: str) -> str:
    text = plain(text).replace("\r", " ")  # csv and pandas leave a lone CR unquoted: readers end the row there
    return "'" + text if text.startswith(_FORMULA_START) else text


def md(text: str) -> str:
    """One line of literal text for Markdown (line breaks become spaces)."""
    return _MD_ACTIVE.sub(r"\\\1", plain(text).replace("\r", " ").replace("\n", " "))


def md_path(text: str) -> str:
    """A file name as a Markdown code span: literal and readable (a backtick becomes a quote;
    a ``|`` is escaped, which GitHub tables need even inside code spans)."""
    one_line = plain(text).replace("\r", " ").replace("\n", " ").replace("`", "'")
    return "`" + one_line.replace("|", "\\|") + "`"
