"""A built site served on 127.0.0.1, for the browser tests and the bench's Lighthouse runs."""

import functools
import http.server
import threading
from contextlib import contextmanager


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serving(folder):
    """Serve `folder` on a free port of 127.0.0.1 while the block runs; yield its base URL (ending in '/')."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
