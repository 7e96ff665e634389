"""What happens to the organisation while managers look at their screens, for timing the rerun after it.

Why: warm reruns hide work that a change elsewhere sets off. During a wave, answers arrive all day
from every team; the next rerun of any manager's screen after one of them is what a manager waits
for then, and it can cost far more than a warm rerun.
"""

from __future__ import annotations

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import Submission, list_waves, submit
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, list_teams


def answer_elsewhere(aspire: Aspire, benched: Actor, n: int) -> None:
    """A newcomer in someone else's team answers the newest wave (their answers copied from a colleague's).

    A newcomer rather than a changed answer: it adds a current response, as most answers in a wave do.
    """
    wave = list_waves(aspire)[-1]
    team = next(t for t in list_teams(aspire, SYSTEM) if t.manager_id != benched.id)
    colleague = ResponseRows(aspire.db).current_responses(SYSTEM, wave.id, [team.id])[0]
    newcomer = NewMember(name=f"New Starter {n}", email=f"new.starter{n}@bench.example")
    [member_id] = add_members(aspire, SYSTEM, team.id, [newcomer])
    raw = colleague.answers.model_dump(mode="json")
    submit(aspire, SYSTEM, [Submission(member_id=member_id, wave_id=wave.id, raw=raw)])
