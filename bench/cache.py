"""Generated organisations kept under bench/.cache/, remade whenever the code that decides their content changes.

Why a cache: the 1,000-team organisation takes many minutes to generate through the product's own
write path. The raw answers depend only on the generator and the instrument, so only those two are
fingerprinted. A file made before a schema change is brought up to date by the app's own migrations
when it opens the copy, as a database that grew over the years would be; and the screens rescore
every response they show from its answers. To pick up a change in validation or stored scores,
run with --fresh. The app always opens a throwaway copy, so nothing it writes leaks into the next run.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.synthetic import SEED, Generation, generate
from coaching.core.settings import PROJECT_DIR

FINGERPRINTED = ("bench/synthetic.py", "coaching/shipped/instruments")


def fingerprint() -> str:
    """A short hash of what decides the generated answers, so a file from another generator is never used."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        target = PROJECT_DIR / name
        for file in sorted(target.rglob("*") if target.is_dir() else [target]):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(PROJECT_DIR)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Organisation:
    path: Path
    generation: Generation
    cached: bool


def organisation(teams: int, folder: Path, *, seed: int = SEED, fresh: bool = False,
                 progress: Callable[[str], None] | None = None) -> Organisation:
    """The generated file for this size and seed in `folder`, made now unless an up-to-date one is there.

    A file is generated under a temporary name and renamed only once closed, so an interrupted run
    never leaves a half-filled file that a later run would take for a finished one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"org-{teams}-seed{seed}-{fingerprint()}"
    path, meta = folder / f"{stem}.duckdb", folder / f"{stem}.json"
    _prune(folder, teams, seed, keep=stem)
    if path.exists() and meta.exists() and not fresh:
        return Organisation(path, Generation.load(meta), cached=True)
    partial = folder / f"{stem}.partial.duckdb"
    for leftover in (path, meta, partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    made = generate(partial, teams, seed=seed, progress=progress)
    partial.rename(path)
    made.save(meta)
    return Organisation(path, made, cached=False)


def _prune(folder: Path, teams: int, seed: int, keep: str) -> None:
    """Delete this size's files made from older code: each 1,000-team file is tens of megabytes."""
    for old in folder.glob(f"org-{teams}-seed{seed}-*"):
        if not old.name.startswith(keep):
            old.unlink()


def copy_for_run(org: Organisation, folder: Path) -> Path:
    """A throwaway copy for the app to open: whatever the app writes never changes the cached file."""
    target = folder / f"run-{org.generation.teams}.duckdb"
    shutil.copyfile(org.path, target)
    return target
