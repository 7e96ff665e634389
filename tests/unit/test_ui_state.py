"""Session state is reached through the slots of coaching.ui.state (and the respondent's groups of them in
coaching.ui.respondent), whose keys never collide."""

from __future__ import annotations

import re

from coaching.core.settings import PROJECT_DIR
from coaching.ui import respondent, state

#: Every screen and widget group, the respondent's page and questionnaire included: only coaching.ui.state
#: touches session state by key.
ACCESSOR_ONLY = [*sorted((PROJECT_DIR / "screens").glob("*.py")),
                 *sorted(p for p in (PROJECT_DIR / "coaching" / "ui").glob("*.py") if p.name != "state.py"),
                 PROJECT_DIR / "app.py"]
LITERAL_KEY = re.compile(r"session_state(\[|\.(get|pop|setdefault|update)\(|\.\w+\s*=)|in st\.session_state")


def test_no_screen_or_widget_group_spells_a_session_key_out() -> None:
    found = [f"{path.name}:{number}: {line.strip()}" for path in ACCESSOR_ONLY
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if LITERAL_KEY.search(line)]
    assert found == []


def test_no_two_accessors_share_a_key_and_no_form_clears_another_value() -> None:
    slots = {f"{owner.__name__}.{name}": value for module in (state, respondent) for owner in vars(module).values()
             if isinstance(owner, type) and owner.__module__ == module.__name__ for name, value in vars(owner).items()
             if isinstance(value, state.Slot | state.Fields)}
    keys = {name: slot.key for name, slot in slots.items() if isinstance(slot, state.Slot)}
    assert len(set(keys.values())) == len(keys), keys
    prefixes = {name: form.prefix + "_" for name, form in slots.items() if isinstance(form, state.Fields)}
    assert not [(form, slot) for form, prefix in prefixes.items() for slot, key in keys.items()
                if key.startswith(prefix)], "clearing a form would drop another accessor's value"
    assert len(keys) >= 10 and len(prefixes) >= 3, "the accessors were found"
