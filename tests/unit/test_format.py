"""Text people typed is shown as typed inside Markdown: never formatting, never a link, never reordering."""

from hypothesis import given
from hypothesis import strategies as st

from coaching.ui.format import WORD_JOINER, plain


def test_markdown_is_neutralised():
    assert plain("**Bold** [x](javascript:alert(1)) <b>") == (
        f"\\*\\*Bold\\*\\* \\[x\\]\\(javascript\\:{WORD_JOINER}alert\\(1\\)\\) \\<b\\>"
    )


def test_bare_addresses_get_an_invisible_word_joiner_that_stops_streamlit_linking_them():
    """Streamlit undoes backslash escapes before it links bare addresses, so escaping alone still gave a link."""
    shown = plain("http://evil.example www.evil.example WWW.EVIL.EXAMPLE x@evil.example")
    assert shown == (f"http\\:{WORD_JOINER}//evil\\.example www{WORD_JOINER}\\.evil\\.example "
                     f"WWW{WORD_JOINER}\\.EVIL\\.EXAMPLE x\\@{WORD_JOINER}evil\\.example")


def test_direction_controls_are_dropped_so_a_name_cannot_reverse_what_follows():
    assert plain("Eve\u202eMallory \u2067x\u2069 \u200fmark") == "EveMallory x \u200fmark"


@given(st.text())
def test_escaping_only_adds_backslashes_and_word_joiners(text):
    typed = text.replace("\\", "").replace(WORD_JOINER, "")
    shown = plain(text).replace("\\", "").replace(WORD_JOINER, "")
    assert shown == "".join(ch for ch in typed if not ("\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"))
