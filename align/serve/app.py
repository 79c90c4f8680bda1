"""The correction editor's requests, as a plain function of (method, target, headers, body)
→ `Response`, so tests call it without a socket (`server.py` puts it behind
`http.server`). Pages are Jinja2 templates, autoescaped; the script and style come from
this server's own ``/static`` (CSP ``'self'``), nothing else loads.

Safety: only the routes below answer (no file is served by name: the two static assets
are read from the package by a fixed table); every request's Host must be this server's
(DNS rebinding); a write needs the per-server random token in ``X-Align-Token`` and an
``Origin`` equal to the Host (cross-site requests get 403)."""

from __future__ import annotations

import hmac
import ipaddress
import html
import json
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jinja2

from align.errors import InputError
from align.settings import Settings
from align.store.corrections import Corrections, StaleEdit

HERE = Path(__file__).parent
STATIC = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
TOKEN_HEADER = "X-Align-Token"
MAX_BODY = 1_000_000
ROUTES = [
    ("GET", re.compile(r"/"), "pairs"),
    ("GET", re.compile(r"/pair/(\d{1,9})"), "pair"),
    ("GET", re.compile(r"/pair/(\d{1,9})/edition"), "edition"),
    ("GET", re.compile(r"/concordance"), "concordance"),
    ("GET", re.compile(r"/static/(app\.js|app\.css)"), "static"),
    ("GET", re.compile(r"/favicon\.ico"), "favicon"),
    ("POST", re.compile(r"/api/pair/(\d{1,9})"), "edit"),
]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined)


class App:
    """One corpus database served to one person: the token, the allowed hosts, a lock that
    serialises writes, and the models a realign needs (loaded on first use)."""

    def __init__(self, db: Path, settings: Settings, host: str = "127.0.0.1", port: int = 8765, *,
                 components=None) -> None:
        self.db, self.settings = Path(db), settings
        Corrections(self.db).close()  # a bad file is an InputError now; an older schema is migrated
        self.token = secrets.token_urlsafe(32)
        self.lock = threading.Lock()
        self.templates = _environment()
        self._components = components  # None: loaded from the settings on the first realign
        self.set_address(host, port)
        self.warming = threading.Thread(target=self._warm, daemon=True)
        self.warming.start()

    def _warm(self) -> None:
        """Load the lemmatiser and the templates before the first request needs them."""
        from align.store.morph import lemma

        lemma("слово", "ru")
        lemma("word", "en")
        for name in ("pairs.html.j2", "pair.html.j2", "concordance.html.j2", "error.html.j2"):
            self.templates.get_template(name)

    def set_address(self, host: str, port: int) -> None:
        """The Host headers accepted: this port on the loopback names and the bound host;
        bound to every interface (which `serve` warns about), also any IP address on this
        port, but never another name: a page whose name an attacker re-resolves to this
        machine (DNS rebinding) would otherwise read the token and write."""
        names = {"127.0.0.1", "localhost", "[::1]", host if ":" not in host else f"[{host}]"}
        self.hosts = {f"{n}:{port}" for n in names}
        self.port = port
        self.any_address = host in ("0.0.0.0", "::")

    def _host_allowed(self, host: str) -> bool:
        if host in self.hosts:
            return True
        if not self.any_address:
            return False
        name, _, port = host.rpartition(":")
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
        return port == str(self.port)

    def components(self):
        if self._components is None:
            from align.components import Components, load_components
            from align.realign import RememberedEncoder

            loaded = load_components(self.settings, progress=False)
            self._components = Components(RememberedEncoder(loaded.encoder), loaded.words, loaded.vocabulary)
        return self._components

    # --- dispatch ----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Response:
        headers = {k.lower(): v for k, v in headers.items()}
        host = headers.get("host", "")
        if not self._host_allowed(host):
            return self._error(403, f"this server answers for {', '.join(sorted(self.hosts))}"
                                    f"{' and IP addresses' if self.any_address else ''} only, not {host!r}")
        parts = urlsplit(target)
        for route_method, pattern, name in ROUTES:
            found = pattern.fullmatch(parts.path)
            if found:
                if route_method != method:
                    return self._error(405, f"{method} is not allowed here")
                if method == "POST":
                    refused = self._refused(headers, host)
                    if refused:
                        return self._json(403, {"error": refused})
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                try:
                    return getattr(self, f"_{name}")(*found.groups(), query=query, body=body)
                except StaleEdit as stale:
                    return self._json(409, {"error": str(stale)})
                except InputError as error:
                    if method == "POST":
                        return self._json(400, {"error": error.problem})
                    return self._error(404 if "no document pair" in error.problem else 400, str(error))
        return self._error(404, "nothing here")

    def _refused(self, headers: Mapping[str, str], host: str) -> str | None:
        """Why a write is refused (None: it is allowed): the token, then the origin."""
        token = headers.get(TOKEN_HEADER.lower(), "")
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return "refused: the request lacks this page's token (reload the page)"
        if headers.get("origin") != f"http://{host}":
            return "refused: a write must come from this server's own pages"
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return "refused: a write is JSON"
        return None

    # --- pages -------------------------------------------------------------------------------

    def _page(self, template: str, **values) -> Response:
        page = self.templates.get_template(template).render(token=self.token, **values)
        return Response(200, page.encode("utf-8"))

    def _error(self, status: int, message: str) -> Response:
        page = self.templates.get_template("error.html.j2").render(status=status, message=message, token="")
        return Response(status, page.encode("utf-8"))

    def failure(self) -> Response:
        """The answer to a request that failed inside the server (logged by `server.py`)."""
        return self._json(500, {"error": "the server failed on this request (see its log); nothing was saved"})

    def _json(self, status: int, value: dict) -> Response:
        return Response(status, json.dumps(value, ensure_ascii=False).encode(), "application/json")

    def _pairs(self, query, body) -> Response:
        with Corrections(self.db) as corrections:
            return self._page("pairs.html.j2", pairs=corrections.pairs(), db=str(self.db))

    def _pair(self, pair_id: str, query, body) -> Response:
        with Corrections(self.db) as corrections:
            info = corrections.pair(int(pair_id))
            links = corrections.links(info.id)
            history = corrections.history(info.id, 20)
            undoable = corrections.undoable(info.id)
        open_flags = [(link, flag) for link in links for flag in link.flags if flag.decision != "ignore"]
        ignored = [(link, flag) for link in links for flag in link.flags if flag.decision == "ignore"]
        return self._page("pair.html.j2", info=info, links=links, history=history, undoable=undoable,
                          open_flags=open_flags, ignored=ignored)

    def _edition(self, pair_id: str, query, body) -> Response:
        from align.export.editions import edition_bytes
        from align.store.corrections import corrected_pair

        pair = corrected_pair(self.db, int(pair_id), self.settings.cache, self.settings.max_bytes)
        page = edition_bytes(pair, Path("preview.html"), pair.src.lang, pair.tgt.lang)
        found = re.search(rb'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
        csp = html.unescape(found.group(1).decode()) if found else "default-src 'none'"
        return Response(200, page, headers={"Content-Security-Policy": csp})

    def _concordance(self, query, body) -> Response:
        from align.store import open_corpus

        text, word = query.get("q", "").strip(), query.get("w", "").strip()
        kwic = equivalents = None
        problem = None
        with open_corpus(self.db) as corpus:
            try:
                if text:
                    kwic = corpus.kwic(text, limit=100).to_dict("records")
                if word:
                    equivalents = corpus.equivalents(word, limit=30).to_dict("records")
            except InputError as error:
                problem = error.problem
        return self._page("concordance.html.j2", q=text, w=word, kwic=kwic, equivalents=equivalents, problem=problem)

    def _static(self, name: str, query, body) -> Response:
        return Response(200, (HERE / "static" / name).read_bytes(), STATIC[name],
                        {"Cache-Control": "no-cache"})

    def _favicon(self, query, body) -> Response:
        return Response(204, b"", "image/x-icon")

    # --- writes ------------------------------------------------------------------------------

    def _edit(self, pair_id: str, query, body) -> Response:
        try:
            request = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise InputError(None, "the request is not JSON") from None
        if not isinstance(request, dict):
            raise InputError(None, "the request is not a JSON object")
        pid = int(pair_id)
        with self.lock, Corrections(self.db) as corrections:
            corrections.pair(pid)
            edit = self._apply(corrections, pid, request)
        return self._json(200, {"ok": True, "edit": edit})

    def _apply(self, c: Corrections, pid: int, r: dict) -> int:
        action = r.get("action")
        links = r.get("links", [])
        if not isinstance(links, list) or not all(isinstance(x, list) and len(x) == 2 for x in links):
            raise InputError(None, "links must be a list of [link id, version] pairs")
        seen = [(_int(x, "link id"), _int(v, "version")) for x, v in links]
        if action in ("split", "unlink", "confirm", "unconfirm") and len(seen) != 1:
            raise InputError(None, f"{action} names one link")
        if action == "merge":
            return c.merge(pid, seen)
        if action == "split":
            return c.split(pid, seen[0], _int(r.get("src_at"), "src_at"), _int(r.get("tgt_at"), "tgt_at"))
        if action == "unlink":
            return c.unlink(pid, seen[0])
        if action in ("confirm", "unconfirm"):
            return c.confirm(pid, seen[0], action == "confirm")
        if action == "move":
            return c.move(pid, seen, str(r.get("side")), str(r.get("direction")))
        if action == "relink":
            return c.relink(pid, seen, _parse_relink(r.get("text", "")))
        if action == "flag":
            decision = r.get("decision")
            return c.decide(pid, _int(r.get("link"), "link"), str(r.get("kind")),
                            None if decision in (None, "reopen") else str(decision), str(r.get("note", "")))
        if action == "undo":
            expected = r.get("edit")
            return c.undo(pid, None if expected is None else _int(expected, "edit"))
        if action == "realign":
            from align.realign import realign_stored

            return realign_stored(c, pid, self.settings, self.components())
        raise InputError(None, f"unknown action {action!r}")


def _int(value, what: str) -> int:
    """A row id or count from a request: ASCII digits, at most 18 (SQLite's integers hold them)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"-?[0-9]{1,18}", str(value)):
        raise InputError(None, f"{what} must be a whole number, not {value!r}")
    return int(value)


def _parse_relink(text: str) -> list[tuple[list[int], list[int]]]:
    """Lines of ``source ids : target ids`` (either side may be empty), one link a line."""
    links = []
    for number, line in enumerate(str(text).splitlines(), start=1):
        if not line.strip():
            continue
        if line.count(":") != 1:
            raise InputError(None, f"relink line {number}: write 'source ids : target ids', e.g. '3 4 : 5'")
        sides = line.split(":")
        try:
            links.append(tuple([int(x) for x in side.replace(",", " ").split()] for side in sides))
        except ValueError:
            raise InputError(None, f"relink line {number}: sentence ids are whole numbers") from None
    if not links:
        raise InputError(None, "relink: no links given")
    return links
