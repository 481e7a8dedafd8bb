"""A built site served on 127.0.0.1, for the browser tests and the bench's Lighthouse runs."""

import functools
import gzip
import http.server
import io
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

# What GitHub Pages, where the site is published, sends gzipped to a browser that accepts it.
COMPRESSED_TYPES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _GzipHandler(_QuietHandler):
    """Text files gzipped when the client accepts it, as the published site is served."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepted = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepted and path.suffix in COMPRESSED_TYPES and path.is_file()):
            return super().send_head()  # directories without their '/', missing files, images: as usual
        body = _gzipped(path, path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


@functools.lru_cache(maxsize=512)
def _gzipped(path, mtime_ns):
    return gzip.compress(path.read_bytes(), compresslevel=6)  # mtime_ns: a rebuilt file is compressed again


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # not a browser that left mid-response
            super().handle_error(request, client_address)


@contextmanager
def serving(folder, compress=False):
    """Serve `folder` on a free port of 127.0.0.1 while the block runs; yield its base URL (ending in '/').

    With `compress`, text files go out gzipped to clients that accept it, as on the published site."""
    handler = functools.partial(_GzipHandler if compress else _QuietHandler, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
