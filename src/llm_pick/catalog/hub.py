"""`hf:ORG/REPO[:QUANT]`: a model on the Hugging Face Hub, read only when asked and only its
headers: the file list, config.json, the safetensors index, or the GGUF header of the chosen
file through HTTP range requests (huggingface_hub, the optional `hub` extra). HF_ENDPOINT,
HF_TOKEN and HF_HUB_OFFLINE are honoured; nothing else in llm-pick touches the network."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from llm_pick.errors import CatalogError, InputError

PREFIX = "hf:"
_REF = re.compile(
    r"hf:([A-Za-z0-9][A-Za-z0-9_.-]{0,95})/([A-Za-z0-9][A-Za-z0-9_.-]{0,95})(?::([A-Za-z0-9_.-]{1,40}))?\Z"
)
MAX_HEADER_FETCH = 64 << 20  # bytes fetched for one GGUF header, in all
MAX_JSON = 16 << 20  # config.json, the index, the file list
_WINDOW = 1 << 20
_TRUE = {"1", "ON", "YES", "TRUE"}


def is_hub(text: str) -> bool:
    return text.startswith(PREFIX)


def parse(text: str) -> tuple[str, str | None]:
    """(org/repo, quant or None) from hf:ORG/REPO[:QUANT]."""
    match = _REF.match(text)
    if match is None:
        raise InputError(
            f"{text}: give hf:ORG/REPO or hf:ORG/REPO:QUANT (e.g. hf:org/model:Q4_K_M)"
        )
    org, repo, quant = match.groups()
    return f"{org}/{repo}", quant


class Hub:
    """One session with the Hub (or HF_ENDPOINT's mirror)."""

    def __init__(self) -> None:
        if os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in _TRUE:
            raise InputError("HF_HUB_OFFLINE is set: reading from the Hub is off (unset it)")
        try:
            import huggingface_hub
            from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]
        except ImportError:
            raise InputError(
                "reading from the Hub needs huggingface_hub: pip install 'llm-pick[hub]'"
            ) from None
        self.hf = huggingface_hub
        self.endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
        token = os.environ.get("HF_TOKEN") or None
        self.headers = build_hf_headers(token=token or False)
        self.session = huggingface_hub.get_session()

    def _get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        try:
            response = self.session.get(url, headers={**self.headers, **(headers or {})})
        except Exception as error:  # the client's connection errors (httpx, requests)
            raise CatalogError(f"{url}: cannot reach the Hub: {type(error).__name__}") from None
        if response.status_code not in (200, 206):
            raise CatalogError(f"{url}: the Hub answered HTTP {response.status_code}")
        return response

    def files(self, repo: str) -> list[str]:
        """The repository's file names (GET /api/models/REPO/tree/main, recursive)."""
        api = self.hf.HfApi(endpoint=self.endpoint, headers=None)
        token = os.environ.get("HF_TOKEN") or False
        try:
            return list(api.list_repo_files(repo, token=token))[:100_000]
        except Exception as error:  # the client's HTTP errors name the status
            reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            raise CatalogError(f"hf:{repo}: cannot list its files: {reason}") from None

    def url(self, repo: str, filename: str) -> str:
        return str(self.hf.hf_hub_url(repo, filename, endpoint=self.endpoint))

    def json(self, repo: str, filename: str) -> Any:
        response = self._get(self.url(repo, filename))
        raw = response.content
        if len(raw) > MAX_JSON:
            raise CatalogError(f"hf:{repo}/{filename}: larger than {MAX_JSON >> 20} MiB")
        try:
            return json.loads(raw)
        except ValueError:
            raise CatalogError(f"hf:{repo}/{filename}: not JSON") from None

    def text(self, repo: str, filename: str) -> str:
        """A small text file (the model card): its first MiB, decoded."""
        response = self._get(self.url(repo, filename), {"Range": f"bytes=0-{_WINDOW - 1}"})
        return bytes(response.content[:_WINDOW]).decode("utf-8", "replace")

    def open(self, repo: str, filename: str) -> RangeFile:
        return RangeFile(self, self.url(repo, filename), f"hf:{repo}/{filename}")


class RangeFile:
    """A read-only file over HTTP range requests (seek, read), capped in bytes fetched."""

    def __init__(self, hub: Hub, url: str, name: str):
        self.hub, self.url, self.name, self.position, self.fetched = hub, url, name, 0, 0
        first = hub._get(url, {"Range": f"bytes=0-{_WINDOW - 1}", "Accept-Encoding": "identity"})
        total = re.search(r"/(\d+)\s*$", first.headers.get("Content-Range", ""))
        self.size = int(total.group(1)) if total else len(first.content)
        self.cache = (0, bytes(first.content))

    def seek(self, position: int) -> None:
        self.position = position

    def read(self, count: int) -> bytes:
        start, data = self.cache
        if not start <= self.position <= start + len(data) - count:
            end = min(self.size, self.position + max(count, _WINDOW)) - 1
            self.fetched += end - self.position + 1
            if self.fetched > MAX_HEADER_FETCH:
                raise CatalogError(f"{self.name}: header larger than {MAX_HEADER_FETCH >> 20} MiB")
            data = bytes(self.hub._get(self.url, {"Range": f"bytes={self.position}-{end}"}).content)
            start = self.position
            self.cache = (start, data)
        at = self.position - start
        self.position += count
        return data[at : at + count]


def choose_gguf(repo: str, files: list[str], quant: str | None) -> str:
    """The GGUF file for QUANT (the file name holds it, case-insensitive), or the only one."""
    ggufs = [
        f
        for f in files
        if f.lower().endswith(".gguf") and not f.split("/")[-1].lower().startswith("mmproj")
    ]
    if quant is not None:
        ggufs = [f for f in ggufs if quant.lower() in f.lower()]
    firsts = [f for f in ggufs if not re.search(r"-\d{5}-of-\d{5}\.gguf$", f) or "-00001-of-" in f]
    if len(firsts) == 1:
        return firsts[0]
    if not firsts:
        what = f"no GGUF file for {quant}" if quant else "no GGUF file"
        raise InputError(f"hf:{repo}: {what} in the repository")
    names = ", ".join(f.split("/")[-1] for f in firsts[:8])
    raise InputError(
        f"hf:{repo}: {len(firsts)} GGUF files; name one with hf:{repo}:QUANT ({names})"
    )


def read_hub_gguf(ref: str) -> Any:
    """The GGUF header of hf:ORG/REPO[:QUANT]'s chosen file, read through range requests."""

    repo, quant = parse(ref)
    hub = Hub()
    files = hub.files(repo)
    return hub_gguf(hub, repo, files, choose_gguf(repo, files, quant))


def hub_gguf(hub: Hub, repo: str, files: list[str], filename: str) -> Any:
    """One GGUF file's header, or a split file's parts joined (catalog/ggufsplit.py), each
    read through range requests."""
    from llm_pick.catalog.gguf import read_gguf_from
    from llm_pick.catalog.ggufsplit import SPLIT_NAME, read_parts, split_count
    from llm_pick.errors import CatalogError

    def read(name: str) -> Any:
        handle = hub.open(repo, name)
        return read_gguf_from(handle, f"hf:{repo}/{name}", handle.size)

    count = split_count(filename)
    if count == 1:
        return read(filename)

    def read_part(number: int) -> Any:
        name = SPLIT_NAME.sub(f"-{number:05d}-of-{count:05d}.gguf", filename)
        if name not in files:
            raise CatalogError(
                f"hf:{repo}/{filename}: part {number} of {count} of this split GGUF is not "
                f"in the repository ({name})"
            )
        return read(name)

    return read_parts(f"hf:{repo}/{filename}", count, read_part)


def hub_config(ref: str) -> tuple[str, Any, list[str]]:
    """(repo, config.json, file names) of hf:ORG/REPO, for a repository without GGUF files."""
    repo, _ = parse(ref)
    hub = Hub()
    files = hub.files(repo)
    if "config.json" not in files:
        raise InputError(f"hf:{repo}: neither a GGUF file nor a config.json in the repository")
    return repo, hub.json(repo, "config.json"), files
