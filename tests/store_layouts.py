"""The on-disk layouts `local` reads, built for real in a temporary folder (docs/local.md gives
their sources): an Ollama manifest + blob tree, LM Studio's publisher/model folders, the
Hugging Face cache (blobs, refs, snapshot links) and llama.cpp's old flat cache. The model
files are real GGUF files from the gguf package's writer."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import gguf
from gguf_files import write_gguf

COMMIT = "2439f60ef33a0d46d85da5001d52aeda5b00ce9f"


def ollama_store(root: Path, model: str = "tinyllama", tag: str = "1b") -> Path:
    """manifests/registry.ollama.ai/library/<model>/<tag> -> blobs/sha256-<hex> (schema 2)."""
    blobs = root / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    staged = write_gguf(root / "staged.gguf", layers=3)
    digest = hashlib.sha256(staged.read_bytes()).hexdigest()
    blob = blobs / f"sha256-{digest}"
    staged.rename(blob)
    template = b"{{ .Prompt }}"
    template_digest = hashlib.sha256(template).hexdigest()
    (blobs / f"sha256-{template_digest}").write_bytes(template)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "digest": "sha256:" + "0" * 64,
            "size": 2,
        },
        "layers": [
            {
                "mediaType": "application/vnd.ollama.image.model",
                "digest": f"sha256:{digest}",
                "size": blob.stat().st_size,
            },
            {
                "mediaType": "application/vnd.ollama.image.template",
                "digest": f"sha256:{template_digest}",
                "size": len(template),
            },
        ],
    }
    path = root / "manifests" / "registry.ollama.ai" / "library" / model / tag
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(manifest, separators=(",", ":")) + "\n")
    return blob


def lmstudio_store(home: Path) -> Path:
    """~/.lmstudio/models/<publisher>/<model>/<file>.gguf with an mmproj file beside it."""
    folder = home / ".lmstudio" / "models" / "lmstudio-community" / "Tiny-GGUF"
    folder.mkdir(parents=True)
    write_gguf(folder / "mmproj-model-f16.gguf", layers=1)
    return write_gguf(folder / "Tiny-Q8_0.gguf", layers=4)


def hf_cache(hub: Path, repo: str = "acme/Tiny-GGUF", card: str | None = None) -> Path:
    """models--<org>--<repo>/{blobs,refs/main,snapshots/<commit>/<file> -> ../../blobs/<sha>}."""
    folder = hub / ("models--" + repo.replace("/", "--"))
    (folder / "blobs").mkdir(parents=True)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(COMMIT)
    snapshot = folder / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    staged = write_gguf(folder / "staged.gguf", layers=5)
    sha = hashlib.sha256(staged.read_bytes()).hexdigest()
    staged.rename(folder / "blobs" / sha)
    link = snapshot / "tiny-q8_0.gguf"
    os.symlink(f"../../blobs/{sha}", link)
    if card is not None:
        (folder / "blobs" / "card").write_text(card)
        os.symlink("../../blobs/card", snapshot / "README.md")
    return link


def llama_flat_cache(cache: Path) -> Path:
    """The old flat cache: <org>_<repo>_<file>.gguf, .etag, manifest=<org>=<repo>=<tag>.json."""
    cache.mkdir(parents=True, exist_ok=True)
    path = write_gguf(cache / "ggml-org_tiny-it-GGUF_tiny-it-Q8_0.gguf", layers=6)
    (cache / (path.name + ".etag")).write_text('"abc"\n')
    manifest = {"ggufFile": {"rfilename": "tiny-it-Q8_0.gguf", "lfs": {"sha256": "0" * 64}}}
    (cache / "manifest=ggml-org=tiny-it-GGUF=Q8_0.json").write_text(json.dumps(manifest))
    return path


def licensed(path: Path) -> Path:
    """A GGUF that states its organization, licence and languages (general.* keys)."""
    kind = gguf.GGUFValueType
    extra = {
        "general.organization": (kind.STRING, "Acme"),
        "general.license": (kind.STRING, "apache-2.0"),
        "general.finetune": (kind.STRING, "Instruct"),
        "general.languages": (kind.ARRAY, ["en", "fr"], kind.STRING),
        "general.base_model.count": (kind.UINT32, 1),
        "general.base_model.0.name": (kind.STRING, "Tiny Base"),
        "general.base_model.0.organization": (kind.STRING, "Acme"),
        "general.base_model.0.repo_url": (kind.STRING, "https://huggingface.co/acme/tiny-base"),
    }
    return write_gguf(path, extra=extra)
