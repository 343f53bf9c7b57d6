"""A local stand-in for the Hugging Face Hub (127.0.0.1 only): it replays the responses of the
endpoints huggingface_hub and llm-pick use, in the shapes docs/local.md's sources give
(GET /api/models/REPO/tree/main, /REPO/resolve/main/FILE with Range and a relative redirect
for large files, as the Hub answers for LFS files), and records every request."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Replay:
    def __init__(self, repos: dict[str, dict[str, bytes]]):
        self.repos = repos
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                replay.answer(self, body=False)

            def do_GET(self) -> None:
                replay.answer(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # shutdown() waits for the loop's next poll: 0.05 s, not the default 0.5 s per test
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        path = handler.path.split("?")[0]
        self.requests.append((handler.command, handler.path, dict(handler.headers)))
        tree = re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/main", path)
        resolve = re.fullmatch(r"/([^/]+/[^/]+)/resolve/main/(.+)", path)
        cdn = re.fullmatch(r"/cdn/([^/]+/[^/]+)/(.+)", path)
        if tree and tree.group(1) in self.repos:
            files = self.repos[tree.group(1)]
            items = [
                {"type": "file", "oid": "0" * 40, "size": len(data), "path": name}
                for name, data in files.items()
            ]
            self.send(handler, 200, json.dumps(items).encode(), body, "application/json")
        elif resolve and resolve.group(2) in self.repos.get(resolve.group(1), {}):
            if resolve.group(2).endswith(".gguf"):  # LFS: the Hub redirects to its CDN
                handler.send_response(302)
                handler.send_header("Location", f"/cdn/{resolve.group(1)}/{resolve.group(2)}")
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            self.ranged(handler, self.repos[resolve.group(1)][resolve.group(2)], body)
        elif cdn and cdn.group(2) in self.repos.get(cdn.group(1), {}):
            self.ranged(handler, self.repos[cdn.group(1)][cdn.group(2)], body)
        else:
            self.send(handler, 404, b'{"error":"Repository not found"}', body, "application/json")

    def ranged(self, handler: BaseHTTPRequestHandler, data: bytes, body: bool) -> None:
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", handler.headers.get("Range", ""))
        if wanted is None:
            self.send(handler, 200, data, body)
            return
        start = int(wanted.group(1))
        end = min(int(wanted.group(2) or len(data) - 1), len(data) - 1)
        part = data[start : end + 1]
        handler.send_response(206)
        handler.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        handler.send_header("Content-Length", str(len(part)))
        handler.end_headers()
        if body:
            handler.wfile.write(part)

    @staticmethod
    def send(
        handler: BaseHTTPRequestHandler, code: int, data: bytes, body: bool, kind: str = ""
    ) -> None:
        handler.send_response(code)
        handler.send_header("Content-Length", str(len(data)))
        if kind:
            handler.send_header("Content-Type", kind)
        handler.end_headers()
        if body:
            handler.wfile.write(data)


def repo_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
