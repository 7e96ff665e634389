"""`python -m bench.quality`: how often the scoring's four judgements are right, on people whose needs are known.

Simulated respondents have five independent latent needs (standard normal). Each statement is answered
from its need plus the noise of the day (item noise, in SD of the latent), turned into an answer on the
version's scale by one of two mappings; the forced choice orders the needs by latent plus the same noise.
Every response goes through `validate_answers`, `scale_scores`, `reliability` and `score_response` exactly
as the app scores it, with each version's reliability estimated from the simulated responses (straight
lines left out, as the app leaves them out). Straight-liners and uniform-random answerers test the flags;
a second wave (same needs, fresh noise; or one need moved by 1.5 SD) tests the change rule.

Goals (issue "Measurement a coach can trust") must hold at item noise 0.7; the other noise levels are
reported. The figures are recorded in bench/QUALITY.md; tests/unit/test_quality.py runs a smaller seeded
version in the normal test suite and fails when a goal is missed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coaching.core.needs import NEEDS
from coaching.measurement.answers import Answers, validate_answers
from coaching.measurement.instrument import Instrument, available_versions, instrument_path, load_instrument
from coaching.measurement.scoring import (
    changes_between,
    is_straight_line,
    quality_flags,
    rank_needs,
    reliability,
    scale_scores,
    score_response,
)

SEED = 20261201
NOISES = (0.5, 0.7, 1.0)
GOAL_NOISE = 0.7
SHIFT = 1.5
QUALITY = Path(__file__).resolve().parent / "QUALITY.md"


@dataclass(frozen=True)
class Goal:
    key: str
    label: str
    at_least: bool
    line: float

    def met(self, value: float) -> bool:
        return value >= self.line if self.at_least else value <= self.line

    @property
    def text(self) -> str:
        return f"{'>=' if self.at_least else '<='} {self.line:.0%}"


GOALS = (
    Goal("named", "a single primary aspiration is named", True, 0.50),
    Goal("precision", "... and it is the true top need", True, 0.95),
    Goal("close_hold", "with none named, the close needs hold the true top need", True, 0.90),
    Goal("honest_flagged", "honest answerers flagged as careless", False, 0.05),
    Goal("straight_flagged", "straight-liners flagged", True, 0.95),
    Goal("random_flagged", "uniform-random answerers flagged", True, 0.90),
    Goal("false_change", "unchanged people shown a reliable change on some need", False, 0.05),
    Goal("shift_found", "a true shift of 1.5 SD on one need detected", True, 0.60),
)


# ---- from latent needs to answers ---------------------------------------------------------------------


def _cuts(points: int) -> np.ndarray:
    """Category boundaries on the latent scale: evenly spaced, five latent SDs across the whole scale."""
    width = 5 / points
    return (np.arange(1, points) - points / 2) * width


def thresholded(need: np.ndarray, noise: float, points: int, rng: np.random.Generator) -> np.ndarray:
    """The answer is the category the need plus normal noise falls in (an ordinal probit)."""
    return np.searchsorted(_cuts(points), need + rng.normal(0, noise, need.shape)) + 1


def graded(need: np.ndarray, noise: float, points: int, rng: np.random.Generator) -> np.ndarray:
    """Samejima's graded response model: P(answer >= k) = logistic((need - b_k) / s), the logistic's SD the noise.

    The day's noise is the logistic's own randomness (s = noise * sqrt(3) / pi), so both mappings carry
    the same item noise: they differ in the shape of the error, not its size.
    """
    slope = np.pi / (np.sqrt(3) * noise)
    above = 1 / (1 + np.exp(-slope * (need[..., None] - _cuts(points))))
    return 1 + (rng.random(need.shape)[..., None] < above).sum(axis=-1)


MAPPINGS: dict[str, Callable[[np.ndarray, float, int, np.random.Generator], np.ndarray]] = {
    "thresholded normal": thresholded,
    "graded logistic": graded,
}


@dataclass(frozen=True)
class Condition:
    version: int
    noise: float
    mapping: str


def _honest(instrument: Instrument, needs: np.ndarray, noise: float, mapping: str,
            rng: np.random.Generator) -> list[dict]:
    """Raw answers of people with these latent needs (people x needs), as a form would send them."""
    items = instrument.items
    column = [NEEDS.index(item.need) for item in items]
    points = instrument.scale.max - instrument.scale.min + 1
    values = MAPPINGS[mapping](needs[:, column], noise, points, rng) + instrument.scale.min - 1
    flip = instrument.scale.min + instrument.scale.max
    picks = np.argsort(-(needs + rng.normal(0, noise, needs.shape)), axis=1)[:, :3]
    return [
        {"ratings": {item.id: int(flip - v if item.reverse else v) for item, v in zip(items, row, strict=True)},
         "top_three": [str(NEEDS[k]) for k in pick]}
        for row, pick in zip(values, picks, strict=True)
    ]


def _careless(instrument: Instrument, count: int, rng: np.random.Generator, *, straight: bool) -> list[dict]:
    low, high = instrument.scale.min, instrument.scale.max
    answers = []
    for _ in range(count):
        line = int(rng.integers(low, high + 1))
        ratings = {item.id: line if straight else int(rng.integers(low, high + 1)) for item in instrument.items}
        answers.append({"ratings": ratings, "top_three": [str(NEEDS[k]) for k in rng.permutation(len(NEEDS))[:3]]})
    return answers


# ---- the figures --------------------------------------------------------------------------------------


def measure(instrument: Instrument, noise: float, mapping: str, people: int, seed: int = SEED) -> dict[str, float]:
    """Every figure of the goals table for one version, noise level and mapping."""
    rng = np.random.default_rng([seed, instrument.version, int(noise * 100), list(MAPPINGS).index(mapping)])
    needs = rng.standard_normal((people, len(NEEDS)))
    first = [validate_answers(instrument, raw) for raw in _honest(instrument, needs, noise, mapping, rng)]
    straight = [validate_answers(instrument, raw) for raw in _careless(instrument, people // 5, rng, straight=True)]
    random_ = [validate_answers(instrument, raw) for raw in _careless(instrument, people // 5, rng, straight=False)]
    # the reliability pool as an organisation has it: the honest answers and a few careless ones (2% each)
    few = people // 50
    pool = [a for a in first + straight[:few] + random_[:few] if not is_straight_line(a)]
    table = reliability(instrument, pool)
    profiles = [score_response(instrument, a, table) for a in first]
    truth = np.argmax(needs, axis=1)
    named = [(NEEDS.index(p.primary), t) for p, t in zip(profiles, truth, strict=True) if p.primary is not None]
    unnamed = [(p, NEEDS[t]) for p, t in zip(profiles, truth, strict=True) if p.primary is None]

    shifted_need = rng.integers(0, len(NEEDS), people)
    moved = needs.copy()
    moved[np.arange(people), shifted_need] += SHIFT * rng.choice([-1, 1], people)
    again = _scores(instrument, _honest(instrument, needs, noise, mapping, rng))
    later = _scores(instrument, _honest(instrument, moved, noise, mapping, rng))
    before = [p.scores for p in profiles]
    false_change = [any(c.reliable for c in changes_between(b, a, table)) for b, a in zip(before, again, strict=True)]
    found = [next(c for c in changes_between(b, a, table) if c.scale == NEEDS[k]).reliable
             for b, a, k in zip(before, later, shifted_need, strict=True)]
    return {
        "named": len(named) / people,
        "precision": sum(int(n == t) for n, t in named) / max(1, len(named)),
        "close_hold": sum(t in p.close_needs for p, t in unnamed) / max(1, len(unnamed)),
        "highest_alone": sum(rank_needs(p.scores, p.choice)[0] == t for p, t in unnamed) / max(1, len(unnamed)),
        "honest_flagged": _flagged(profiles),
        "straight_flagged": _flagged_answers(instrument, straight),
        "random_flagged": _flagged_answers(instrument, random_),
        "false_change": float(np.mean(false_change)),
        "shift_found": float(np.mean(found)),
        "security_named": sum(int(n == 1) for n, _ in named) / max(1, len(named)),   # NEEDS[1]: security
        "alpha_security": table["security"].alpha,
        "alpha_status": table["status"].alpha,
    }


def _scores(instrument: Instrument, raws: Sequence[dict]) -> list[dict[str, float]]:
    return [scale_scores(instrument, validate_answers(instrument, raw)) for raw in raws]


def _flagged(profiles: Sequence) -> float:
    return sum(bool(p.flags) for p in profiles) / max(1, len(profiles))


def _flagged_answers(instrument: Instrument, answers: Sequence[Answers]) -> float:
    """Share flagged: the flags `score_response` attaches, which need no reliability."""
    return sum(bool(quality_flags(instrument, a)) for a in answers) / max(1, len(answers))


def shipped(data_dir: Path | None = None) -> list[Instrument]:
    """Every questionnaire version shipped in coaching/shipped/instruments."""
    kwargs = {} if data_dir is None else {"data_dir": data_dir}
    return [load_instrument(instrument_path(v, **kwargs)) for v in available_versions(**kwargs)]


def run(people: int, noises: Sequence[float] = NOISES, seed: int = SEED) -> dict[Condition, dict[str, float]]:
    return {
        Condition(instrument.version, noise, mapping): measure(instrument, noise, mapping, people, seed)
        for instrument in shipped()
        for noise in noises
        for mapping in MAPPINGS
    }


def missed(results: dict[Condition, dict[str, float]]) -> list[str]:
    """Every goal the newest version misses at the goal noise, under either mapping, in words.

    Older versions are measured and reported (version 1 falls short, which is why version 2 exists), but
    new rounds use the newest version, so it is the one the goals bind.
    """
    newest = max(c.version for c in results)
    return [
        f"v{c.version}, {c.mapping}: {goal.label} {figures[goal.key]:.1%} (goal {goal.text})"
        for c, figures in results.items() if c.noise == GOAL_NOISE and c.version == newest
        for goal in GOALS if not goal.met(figures[goal.key])
    ]


def markdown(results: dict[Condition, dict[str, float]], people: int, seed: int) -> str:
    """One table per version: a row per judgement, a column per noise level and mapping, the goal beside it."""
    parts = [f"{people} simulated people per condition (and {people // 5} straight-liners and {people // 5} "
             f"uniform-random answerers), seed {seed}; goals must hold at item noise {GOAL_NOISE}.\n"]
    for version in sorted({c.version for c in results}):
        conditions = [c for c in results if c.version == version]
        lines = [f"### Version {version}", "",
                 "| judgement | goal | " + " | ".join(f"noise {c.noise}, {c.mapping}" for c in conditions) + " |",
                 "|" + "---|" * (len(conditions) + 2)]
        for goal in GOALS:
            cells = [f"{results[c][goal.key]:.1%}" + ("" if goal.met(results[c][goal.key]) else " (short)")
                     for c in conditions]
            lines.append(f"| {goal.label} | {goal.text} | " + " | ".join(cells) + " |")
        for key, label in (("highest_alone", "with none named, share whose highest rating alone is their true top "
                                              "need (why advice names every close need)"),
                           ("security_named", "share of named primaries that are security (1 in 5 expected)"),
                           ("alpha_security", "alpha of security (stratified over its facets)"),
                           ("alpha_status", "alpha of status")):
            lines.append(f"| {label} | | " + " | ".join(f"{results[c][key]:.2f}" for c in conditions) + " |")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000, help="simulated people per condition (default 5000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--record", action="store_true", help=f"write the table into {QUALITY.name}")
    args = parser.parse_args(argv)
    results = run(args.people, seed=args.seed)
    table = markdown(results, args.people, args.seed)
    print(table)
    if args.record:
        _record(table)
    misses = missed(results)
    for line in misses:
        print("MISSED:", line, file=sys.stderr)
    return 1 if misses else 0


_BEGIN, _END = "<!-- figures: begin -->", "<!-- figures: end -->"


def _record(table: str) -> None:
    text = QUALITY.read_text(encoding="utf-8")
    head, rest = text.split(_BEGIN, 1)
    QUALITY.write_text(head + _BEGIN + "\n" + table + _END + rest.split(_END, 1)[1], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
