"""`align serve`: a local web editor of a corpus database's alignment (the correction loop):
`app.py` answers requests, `server.py` runs it on `http.server`; the corrections themselves
live in `align.store.corrections` and `align.realign`."""

from align.serve.app import App
from align.serve.server import make_server

__all__ = ["App", "make_server"]
