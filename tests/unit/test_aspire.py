"""The small Aspire at the bottom: what rooms build once per process, and what it may import."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

from coaching.measurement.versions import current_instrument, instruments
from coaching.people.accounts import accounts_of

COACHING = Path(__file__).resolve().parents[2] / "coaching"


def test_what_a_room_shares_is_built_once_even_when_threads_ask_together(aspire):
    built = []

    def build() -> object:
        time.sleep(0.05)                 # long enough for every thread to arrive while the first builds
        built.append(object())
        return built[-1]

    got = []
    threads = [threading.Thread(target=lambda: got.append(aspire.shared("thing", build))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(built) == 1 and got == built * 8


def test_the_account_service_and_the_questionnaires_are_one_per_process(aspire, instrument):
    assert accounts_of(aspire) is accounts_of(aspire)
    assert instruments(aspire) is instruments(aspire)
    assert current_instrument(aspire).version == instrument.version


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """The coaching modules a file imports at its top, and the names of functions that import inside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
    inside = [fn.name for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(fn) if isinstance(node, ast.Import | ast.ImportFrom)]
    return {m for m in top if m.startswith("coaching")}, inside


def test_aspire_imports_only_the_layers_below_it():
    top, _ = _imports(COACHING / "aspire.py")
    assert top and all(m.split(".")[1] in ("core", "db", "governance") for m in top), top


def test_start_up_and_the_demo_import_nothing_inside_a_function():
    for name in ("aspire.py", "demo.py", "startup.py"):
        assert _imports(COACHING / name)[1] == [], name
