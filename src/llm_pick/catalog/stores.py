"""The models already on this machine: GGUF files in Ollama's store, LM Studio's models folder,
the Hugging Face cache, llama.cpp's download cache (its HF-hub layout and its old flat one)
and folders the user names. Only names, manifests and directory entries are read here; the
GGUF headers are read (bounded) by the caller. Layouts and overrides are sourced in
docs/local.md (from Ollama, LM Studio, huggingface_hub and llama.cpp sources)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_MANIFEST_BYTES = 1 << 20
MAX_FILES = 2000  # per store: a folder with more GGUF files is cut short (and said so)
MAX_DEPTH = 4  # how deep a named folder is searched
MODEL_LAYER = "application/vnd.ollama.image.model"
PROJECTOR_LAYER = "application/vnd.ollama.image.projector"
_DIGEST = re.compile(r"sha256[:-]([0-9a-fA-F]{64})\Z")
_SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf\Z", re.IGNORECASE)
_LEGACY_MANIFEST = re.compile(r"manifest=([^=]+)=([^=]+)=(.*)\.json\Z")
# Ollama's systemd service keeps its store in the service user's home (docs/linux.mdx).
SYSTEM_OLLAMA = (Path("/usr/share/ollama/.ollama/models"),)


@dataclass(frozen=True)
class Installed:
    """One model file found on disk."""

    path: Path
    """The GGUF file (an Ollama blob, a snapshot link, a plain file)."""
    store: str
    """ollama, lm-studio, hf-cache, llama.cpp or folder."""
    name: str
    """How the store names it: the Ollama tag, org/repo/file, or the path."""
    mmproj: Path | None = None
    """The vision/audio projector beside it, when there is one."""
    ollama_tag: str | None = None
    """The tag `ollama run` takes."""
    parts: int = 1
    """Split GGUF files (-00001-of-0000N): the number of parts."""
    quant: str | None = None
    """The file's format (llm-pick name), once its header is read."""


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _home(environ: Mapping[str, str]) -> Path:
    return Path(_env(environ, "HOME") or Path.home())


def _read_json(path: Path) -> Any:
    """A small JSON file (manifest, settings), or None when unreadable or not JSON."""
    from llm_pick.catalog.read import read_input
    from llm_pick.errors import CatalogError

    try:
        return json.loads(read_input(str(path), MAX_MANIFEST_BYTES))
    except (CatalogError, ValueError):
        return None


def _is_mmproj(path: Path) -> bool:
    return path.name.lower().startswith("mmproj")


def _first_part(path: Path) -> int | None:
    """None for a later part of a split file (listed with its first part); else the parts."""
    match = _SPLIT.search(path.name)
    if match is None:
        return 1
    return int(match.group(2)) if int(match.group(1)) == 1 else None


# ---- Ollama ----------------------------------------------------------------------------


def ollama_dirs(environ: Mapping[str, str]) -> list[Path]:
    """OLLAMA_MODELS, else ~/.ollama/models and the systemd service's store."""
    if (given := _env(environ, "OLLAMA_MODELS")) is not None:
        return [Path(given)]
    return [_home(environ) / ".ollama" / "models", *SYSTEM_OLLAMA]


def _tag(parts: tuple[str, ...]) -> str:
    host, namespace, model, tag = parts
    if host == "registry.ollama.ai":
        prefix = "" if namespace == "library" else f"{namespace}/"
        return f"{prefix}{model}:{tag}"
    return f"{host}/{namespace}/{model}:{tag}"


def _blob(root: Path, layers: list[Any], media: str) -> Path | None:
    for layer in layers:
        if isinstance(layer, dict) and layer.get("mediaType") == media:
            match = _DIGEST.match(str(layer.get("digest", "")))
            if match:
                return root / "blobs" / f"sha256-{match.group(1)}"
    return None


def ollama(root: Path) -> Iterator[Installed]:
    """manifests/<host>/<namespace>/<model>/<tag>: the model layer's blob, with its tag."""
    manifests = root / "manifests"
    for path in sorted(manifests.glob("*/*/*/*"))[:MAX_FILES]:
        data = _read_json(path) if path.is_file() else None
        layers = data.get("layers") if isinstance(data, dict) else None
        if not isinstance(layers, list):
            continue
        blob = _blob(root, layers, MODEL_LAYER)
        if blob is None or not blob.is_file():
            continue
        tag = _tag(path.relative_to(manifests).parts)
        projector = _blob(root, layers, PROJECTOR_LAYER)
        yield Installed(blob, "ollama", tag, projector, tag)


# ---- LM Studio ---------------------------------------------------------------------------


def lmstudio_dir(environ: Mapping[str, str]) -> Path:
    """~/.lmstudio-home-pointer, else ~/.cache/lm-studio when it exists, else ~/.lmstudio;
    then settings.json's downloadsFolder, else <home>/models."""
    home = _home(environ)
    pointer = home / ".lmstudio-home-pointer"
    studio = home / ".lmstudio"
    if pointer.is_file():
        with contextlib.suppress(OSError):
            studio = Path(pointer.read_text(encoding="utf-8", errors="replace")[:4096].strip())
    elif (home / ".cache" / "lm-studio").is_dir():
        studio = home / ".cache" / "lm-studio"
    settings = _read_json(studio / "settings.json")
    folder = settings.get("downloadsFolder") if isinstance(settings, dict) else None
    return Path(folder) if isinstance(folder, str) and folder else studio / "models"


def lmstudio(root: Path) -> Iterator[Installed]:
    """<models>/<publisher>/<model>/<file>.gguf; an mmproj file beside it is its projector."""
    for folder in sorted(p for p in root.glob("*/*") if p.is_dir())[:MAX_FILES]:
        yield from _folder_files(folder, "lm-studio", root)


def _folder_files(folder: Path, store: str, root: Path) -> Iterator[Installed]:
    files = sorted(p for p in folder.glob("*.gguf") if p.is_file())
    projector = next((p for p in files if _is_mmproj(p)), None)
    for path in files:
        parts = _first_part(path)
        if _is_mmproj(path) or parts is None:
            continue
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        yield Installed(path, store, name, projector, parts=parts)


# ---- Hugging Face cache (and llama.cpp's current cache, which shares its layout) ----------


def hf_cache_dir(environ: Mapping[str, str]) -> Path:
    """HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > $HF_HOME/hub > $XDG_CACHE_HOME/huggingface/hub
    > ~/.cache/huggingface/hub (huggingface_hub constants.py)."""
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if (given := _env(environ, name)) is not None:
            return Path(os.path.expanduser(given))
    if (hf_home := _env(environ, "HF_HOME")) is not None:
        return Path(os.path.expanduser(hf_home)) / "hub"
    cache = _env(environ, "XDG_CACHE_HOME")
    return (Path(cache) if cache else _home(environ) / ".cache") / "huggingface" / "hub"


def _snapshots(repo: Path) -> list[Path]:
    """refs/main's snapshot when there is one, else every snapshot."""
    ref = repo / "refs" / "main"
    try:
        commit = ref.read_text(encoding="ascii", errors="replace")[:64].strip()
    except OSError:
        commit = ""
    chosen = repo / "snapshots" / commit
    if re.fullmatch(r"[0-9a-f]{40}", commit) and chosen.is_dir():
        return [chosen]
    return sorted(p for p in (repo / "snapshots").glob("*") if p.is_dir())


def hf_cache(root: Path, store: str = "hf-cache") -> Iterator[Installed]:
    """models--<org>--<repo>/snapshots/<commit>/[<folder>/]<file>.gguf (a link to blobs/, or
    the file itself where links are not used); large repos keep each quant's split parts in a
    folder of its own (Q4_K_M/model-00001-of-00003.gguf)."""
    for repo in sorted(root.glob("models--*--*"))[:MAX_FILES]:
        repo_id = repo.name.removeprefix("models--").replace("--", "/", 1)
        for snapshot in _snapshots(repo):
            inner = sorted(p for p in snapshot.glob("*") if p.is_dir())[:MAX_FILES]
            for found in (f for d in (snapshot, *inner) for f in _folder_files(d, store, snapshot)):
                yield Installed(
                    found.path, store, f"{repo_id}/{found.name}", found.mmproj, parts=found.parts
                )


# ---- llama.cpp's -hf cache ---------------------------------------------------------------


def llama_cache_dirs(environ: Mapping[str, str]) -> tuple[Path | None, Path]:
    """(LLAMA_CACHE when set: the current HF-layout root; the old flat cache directory)."""
    given = _env(environ, "LLAMA_CACHE")
    if given is not None:
        return Path(given), Path(given)
    home = _home(environ)
    if sys.platform == "darwin":
        return None, home / "Library" / "Caches" / "llama.cpp"
    if sys.platform == "win32":
        local = _env(environ, "LOCALAPPDATA")
        return None, (Path(local) if local else home) / "llama.cpp"
    xdg = _env(environ, "XDG_CACHE_HOME")
    return None, (Path(xdg) if xdg else home / ".cache") / "llama.cpp"


def llama_flat(root: Path) -> Iterator[Installed]:
    """The old flat cache: <org>_<repo>_<file>.gguf named by manifest=<org>=<repo>=<tag>.json
    (ggufFile.rfilename, mmprojFile.rfilename); other .gguf files there by their name."""
    named: dict[Path, tuple[str, Path | None]] = {}
    for manifest in sorted(root.glob("manifest=*.json"))[:MAX_FILES]:
        match = _LEGACY_MANIFEST.match(manifest.name)
        data = _read_json(manifest)
        if match is None or not isinstance(data, dict):
            continue
        org, repo, tag = match.groups()
        files = [_rfilename(data.get(k)) for k in ("ggufFile", "mmprojFile")]
        paths = [root / f"{org}_{repo}_{f}".replace("/", "_") if f else None for f in files]
        if paths[0] is not None:
            named[paths[0]] = (f"{org}/{repo}:{tag}", paths[1])
    for path in sorted(p for p in root.glob("*.gguf") if p.is_file())[:MAX_FILES]:
        parts = _first_part(path)
        if _is_mmproj(path) or "_mmproj" in path.name.lower() or parts is None:
            continue
        name, projector = named.get(path, (path.name, None))
        yield Installed(path, "llama.cpp", name, projector, parts=parts)


def _rfilename(item: Any) -> str | None:
    name = item.get("rfilename") if isinstance(item, dict) else None
    return name if isinstance(name, str) and name and ".." not in name else None


# ---- user folders and the whole scan -------------------------------------------------------


def named_folder(root: Path) -> Iterator[Installed]:
    """Every .gguf file under a folder the user names (MAX_DEPTH levels, MAX_FILES files)."""
    seen = 0
    for depth in range(MAX_DEPTH + 1):
        level = [root] if depth == 0 else root.glob("/".join(["*"] * depth))
        for directory in sorted(p for p in level if p.is_dir()):
            for found in _folder_files(directory, "folder", root):
                seen += 1
                if seen > MAX_FILES:
                    return
                yield found


def scan(folders: list[Path], environ: Mapping[str, str] | None = None) -> list[Installed]:
    """Every model file in the known stores and the named folders, once each (by real path)."""
    env = os.environ if environ is None else environ
    llama_root, flat = llama_cache_dirs(env)
    sources: list[Iterator[Installed]] = [ollama(d) for d in ollama_dirs(env) if d.is_dir()]
    sources.append(lmstudio(lmstudio_dir(env)))
    sources.append(hf_cache(hf_cache_dir(env)))
    if llama_root is not None:
        sources.append(hf_cache(llama_root, "llama.cpp"))
    sources.append(llama_flat(flat))
    sources += [named_folder(f) for f in folders]
    found: dict[str, Installed] = {}
    for source in sources:
        try:
            for item in source:
                found.setdefault(os.path.realpath(item.path), item)
        except OSError:
            continue  # a store that cannot be listed (permissions) contributes nothing
    return list(found.values())
