"""Text people typed is shown as typed: Markdown special characters are escaped, nothing else changes."""

from hypothesis import given
from hypothesis import strategies as st

from coaching.ui.format import plain


def test_markdown_is_neutralised():
    assert plain("**Bold** [x](javascript:alert(1)) <b>") == (
        "\\*\\*Bold\\*\\* \\[x\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\>"
    )


@given(st.text())
def test_escaping_only_adds_backslashes(text):
    escaped = plain(text)
    assert escaped.replace("\\", "") == text.replace("\\", "")
