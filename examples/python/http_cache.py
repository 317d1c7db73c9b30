"""HTTP caching for a cached optscan scan, as a small WSGI app (Flask, Django and gunicorn all
speak WSGI): `GET /api/scan` answers from the store with the engine's per-scan HTTP
representation (304 on a matching If-None-Match or If-Modified-Since, br or gzip from bytes
compressed once per scan, ETag, Last-Modified, Vary, and a Cache-Control that counts down the
scan's fresh seconds); `GET /api/screen?type=call&delta.min=0.3&sort=-expectedValueAmount`
screens every contract the scan evaluated (bad filters are 400).

    DATABASE_URL=sqlite://optscan.db python examples/python/http_cache.py 8000
"""

import json
import os
import sys
from urllib.parse import parse_qsl
from wsgiref.simple_server import make_server

import optscan

MAX_AGE_MINUTES = float(os.environ.get("OPTSCAN_MAX_AGE_MINUTES", "15"))
STATUS = {200: "200 OK", 304: "304 Not Modified", 400: "400 Bad Request", 404: "404 Not Found"}


def cached_response(cached, environ, max_age_minutes=MAX_AGE_MINUTES):
    """(status line, headers, body) for a `CachedJson` and a WSGI request's headers."""
    n = cached.negotiate(
        if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
        if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
        accept_encoding=environ.get("HTTP_ACCEPT_ENCODING"),
    )
    fresh = max(0, int((max_age_minutes - cached.age_minutes) * 60))
    headers = [("Cache-Control", f"public, max-age=0, s-maxage={fresh}, stale-while-revalidate=60")]
    headers += n.headers
    if n.status == 200:
        headers.append(("Content-Type", "application/json"))
    return STATUS[n.status], headers, n.body


def app(store):
    """The WSGI application over an open `optscan.ScanStore`."""

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        params = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        mode = params.pop("filterMode", "strict")
        try:
            if path == "/api/scan":
                cached = store.latest_json(mode)
                if cached is None:
                    raise optscan.NotFoundError(f"no {mode} scan cached")
                status, headers, body = cached_response(cached, environ)
            elif path == "/api/screen":
                body = store.screen_json(params, filter_mode=mode)
                status, headers = STATUS[200], [("Content-Type", "application/json")]
            else:
                raise optscan.NotFoundError(f"no route {path}")
        except optscan.OptscanError as e:
            code = 400 if isinstance(e, optscan.InvalidInputError) else 404
            body = json.dumps({"success": False, "code": type(e).__name__, "error": str(e)}).encode()
            status, headers = STATUS[code], [("Content-Type", "application/json")]
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]

    return application


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    with make_server("127.0.0.1", port, app(optscan.ScanStore.open())) as httpd:
        httpd.serve_forever()
