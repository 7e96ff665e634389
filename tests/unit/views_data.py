"""Hand-built domain results the chart views are tested on, and ways to read their figures."""

from __future__ import annotations

import plotly.graph_objects as go

from coaching.core.needs import Facet, Need
from coaching.measurement.profiles import ScaleSummary
from coaching.measurement.scoring import Profile, QualityFlag
from coaching.paths.catalogue import Catalogue, PathKind, PathOption, PayBand


def summary(scale: str, mean: float, n: int = 10) -> ScaleSummary:
    return ScaleSummary(scale=scale, n=n, mean=mean, low=max(0.0, mean - 20), high=min(100.0, mean + 20))


PERSON = {"status": 20.0, "security": 55.0, "expertise": 90.0, "autonomy": 70.0, "balance": 35.5,
          "security.stability": 80.0, "security.pay": 30.0}


def a_profile(scores: dict[str, float], *, primary: Need | None = None,
              close: tuple[Need, ...] = (Need.EXPERTISE, Need.AUTONOMY),
              flags: tuple[QualityFlag, ...] = ()) -> Profile:
    """A scored response: the scoring names `primary`, or else leaves the `close` needs to ask about."""
    return Profile(scores=scores, choice=(Need.EXPERTISE, Need.AUTONOMY, Need.BALANCE), primary=primary,
                   close_needs=() if primary else close, disagreement=False, flags=flags, clear_lead=False)


def traces_by_name(fig: go.Figure) -> dict[str, go.Scatterpolar]:
    """The needs' trace as "Your needs", each facet's under its facet key."""
    assert all(isinstance(t, go.Scatterpolar) for t in fig.data)
    found = {}
    for trace in fig.data:
        facet = next((f for f in Facet if trace.name.endswith(f.label.lower())), None)
        found[facet.scale if facet else trace.name] = trace
    return found


def the_bar(fig: go.Figure) -> go.Bar:
    assert len(fig.data) == 1
    bar = fig.data[0]
    assert isinstance(bar, go.Bar) and bar.orientation == "h"
    return bar


TEAM_LEAD = PathOption(key="team_lead", kind=PathKind.MANAGEMENT, name="Team lead", rank=1, why="Leads a team.",
                       openings=2, support={Need.STATUS: 0.8, Need.SECURITY: 0.6, Need.EXPERTISE: 0.2,
                                            Need.AUTONOMY: 0.3, Need.BALANCE: 0.1},
                       band=PayBand(minimum=50000, midpoint=60000, maximum=70000, currency="EUR"))
SENIOR = PathOption(key="senior", kind=PathKind.EXPERT, name="Senior specialist", rank=1, why="Deep expertise.",
                    openings=1, support={Need.STATUS: 0.3, Need.SECURITY: 0.6, Need.EXPERTISE: 0.9,
                                         Need.AUTONOMY: 0.5, Need.BALANCE: 0.3},
                    band=PayBand(minimum=50000, midpoint=60000, maximum=70000, currency="EUR"))
MANAGER = TEAM_LEAD.model_copy(update={"key": "manager", "name": "Manager", "rank": 2, "openings": 0,
                                       "band": PayBand(minimum=60000, midpoint=72000, maximum=84000,
                                                       currency="EUR")})
STAFF = SENIOR.model_copy(update={"key": "staff", "name": "Staff specialist", "rank": 2,
                                  "band": PayBand(minimum=60000, midpoint=70000, maximum=84000, currency="EUR")})
REMOTE = PathOption(key="remote_days", kind=PathKind.FLEXIBLE, name="Remote days", why="Less commuting.",
                    support={Need.STATUS: 0, Need.SECURITY: 0.1, Need.EXPERTISE: 0, Need.AUTONOMY: 0.3,
                             Need.BALANCE: 0.9})
CATALOGUE = Catalogue(options=[TEAM_LEAD, MANAGER, SENIOR, STAFF, REMOTE])
ANA = {"status": 30.0, "security": 50.0, "expertise": 85.0, "autonomy": 90.0, "balance": 20.0,
       "security.stability": 60.0, "security.pay": 40.0}
