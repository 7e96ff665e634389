"""A career framework as a spreadsheet exports it: what each level of each ladder asks of a person.

One row per expectation, with the columns `track` (management or expert), `level` (a level key on that
track, as the catalogue has it), `title` (the level's name) and `expectation` (one plain sentence);
`scope` is optional. Rows of one level are gathered in file order. Pure parsing: the whole file is
checked first and refused whole (ImportRejected naming every bad row with its line), so a framework is
never half imported. A level must already be on offer: the catalogue keeps its need profile and pay
band, which a framework does not carry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from coaching.core.tabular import ImportRejected, RowProblem
from coaching.core.text import text_problems
from coaching.paths.catalogue import MAX_EXPECTATIONS, Catalogue, PathKind

REQUIRED = ("track", "level", "title", "expectation")
OPTIONAL = ("scope",)
MAX_ROWS = 500


@dataclass
class FrameworkLevel:
    """What the file says about one level: its title, scope (None: keep the catalogue's) and expectations."""

    track: str
    level: str
    title: str
    scope: str | None
    line: int                               # the first line that names this level
    expectations: list[str] = field(default_factory=list)


def parse_framework(data: bytes, catalogue: Catalogue) -> list[FrameworkLevel]:
    """Every level the file describes, or ImportRejected naming every bad row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([RowProblem(1, f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8")]) \
            from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if missing := [c for c in REQUIRED if c not in header]:
        raise ImportRejected([RowProblem(1, f"the first line must name the columns {', '.join(REQUIRED)}; "
                                            f"missing: {', '.join(missing)}")])
    if unknown := [c for c in header if c not in REQUIRED + OPTIONAL]:
        raise ImportRejected([RowProblem(1, f"unknown column {', '.join(unknown)} (columns: "
                                            f"{', '.join(REQUIRED + OPTIONAL)})")])
    reader.fieldnames = header
    levels: dict[tuple[str, str], FrameworkLevel] = {}
    problems: list[RowProblem] = []
    for row in reader:
        if reader.line_num > MAX_ROWS + 1:
            raise ImportRejected([RowProblem(reader.line_num, f"the file has more than {MAX_ROWS} rows; split it")])
        problems += [RowProblem(reader.line_num, r) for r in _row(row, reader.line_num, catalogue, levels)]
    if not levels and not problems:
        problems.append(RowProblem(1, "the file has a header but no levels"))
    if problems:
        raise ImportRejected(problems)
    return list(levels.values())


def _row(row: dict, line: int, catalogue: Catalogue, levels: dict[tuple[str, str], FrameworkLevel]) -> list[str]:
    """Why one row is wrong (empty when it is fine); a good row is added to its level."""
    if None in row:
        return ["more cells than columns"]
    cells = {k: (v or "").strip() for k, v in row.items()}
    for name, value in cells.items():
        if problems := text_problems(value, limit=200):
            return [f"{name}: {problems[0]}"]
    reasons = [f"{name} is empty" for name in REQUIRED if not cells.get(name)]
    if reasons:
        return reasons
    track, level, title, expectation = (cells[c] for c in REQUIRED)
    tracks = {k.value: k for k in PathKind if k.is_track}
    if track not in tracks:
        return [f"unknown track {track!r} (tracks: {', '.join(tracks)})"]
    keys = {o.key for o in catalogue.of_kind(tracks[track])}
    if level not in keys:
        return [f"level {level!r} is not on the {track} track (levels: {', '.join(sorted(keys))}); an admin adds "
                "a new level with its need profile and pay band in the catalogue first"]
    if not 2 <= len(title) <= 80:
        return [f"title must be 2 to 80 characters, not {len(title)}"]
    if len(expectation) < 3:
        return ["expectation must be at least 3 characters"]
    found = levels.setdefault((track, level), FrameworkLevel(track, level, title, cells.get("scope") or None, line))
    if found.title != title:
        return [f"title {title!r} differs from {found.title!r} on line {found.line} for the same level"]
    if expectation in found.expectations:
        return [f"expectation repeats one already given for {level}"]
    if len(found.expectations) == MAX_EXPECTATIONS:
        return [f"a level has at most {MAX_EXPECTATIONS} expectations"]
    found.expectations.append(expectation)
    return []
