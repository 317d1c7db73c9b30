"""HTTP caching (CachedJson.negotiate), screening (ScanStore.screen_json) and the WSGI helper
in examples/python/http_cache.py, served on loopback by wsgiref."""

import gzip
import importlib.util
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

import optscan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python" / "http_cache.py"


def scanned_store(tmp_path):
    store = optscan.ScanStore.open(f"sqlite://{tmp_path / 'http.db'}")
    scanner = optscan.Scanner(optscan.SyntheticMarket(seed=7, symbols=20),
                              optscan.ScanConfig(max_symbols=6, backtest=False))
    store.save(scanner.scan())
    return store


def test_negotiate_answers_304_br_gzip_and_identity(tmp_path):
    c = scanned_store(tmp_path).latest_json()
    plain = c.negotiate()
    assert (plain.status, plain.content_encoding, plain.etag) == (200, None, c.etag)
    assert plain.body == c.json
    gz = c.negotiate(accept_encoding="gzip")
    assert gz.content_encoding == "gzip" and gzip.decompress(gz.body) == c.json
    assert len(gz.body) < 0.2 * len(c.json)
    br = c.negotiate(accept_encoding="gzip, br")
    assert br.content_encoding == "br" and len(br.body) < len(gz.body)
    assert ("Vary", "Accept-Encoding") in br.headers and ("Content-Encoding", "br") in br.headers
    assert c.negotiate(if_none_match=br.etag).status == 304
    assert c.negotiate(if_none_match='"another"').status == 200
    assert c.negotiate(if_modified_since=c.last_modified).status == 304
    assert c.negotiate(if_modified_since=c.last_modified).body == b""
    tail = c.negotiate(tail=b',"extra":1}}')
    assert tail.etag.startswith('W/"') and json.loads(tail.body)["metadata"]["extra"] == 1


def test_screen_json_filters_every_evaluated_contract(tmp_path):
    store = scanned_store(tmp_path)
    page = json.loads(store.screen_json({"type": "put", "daysToExpiration.max": 60,
                                         "sort": "-volumeOiRatio", "limit": 5}))
    assert page["scanId"] == store.latest().result.scan_id
    assert page["candidateCount"] >= page["matched"] > 5 and len(page["rows"]) == 5
    assert all(r["optionType"] == "put" and r["daysToExpiration"] <= 60 for r in page["rows"])
    for bad in ({"delta.min": "x"}, {"bogus": 1}, {"delta.min": 0.9, "delta.max": 0.1}):
        with pytest.raises(optscan.InvalidInputError):
            store.screen_json(bad)
    with pytest.raises(optscan.NotFoundError):
        store.screen_json(filter_mode="relaxed")


def test_the_wsgi_helper_serves_304_and_compressed_bodies(tmp_path):
    spec = importlib.util.spec_from_file_location("http_cache", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    store = scanned_store(tmp_path)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, example.app(store), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    def get(path, **headers):
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers)) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    try:
        status, headers, body = get("/api/scan", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert json.loads(gzip.decompress(body))["scanId"] == store.latest().result.scan_id
        assert "s-maxage=" in headers["Cache-Control"] and headers["Vary"] == "Accept-Encoding"
        assert get("/api/scan", **{"If-None-Match": headers["ETag"]})[0] == 304
        status, _, body = get("/api/screen?type=put&limit=3")
        assert status == 200 and len(json.loads(body)["rows"]) == 3
        status, _, body = get("/api/screen?delta.min=oops")
        assert status == 400 and json.loads(body)["code"] == "InvalidInputError"
    finally:
        server.shutdown()
