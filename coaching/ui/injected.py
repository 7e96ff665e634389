"""What the respondent's page injects into the browser: two fixed scripts and one style sheet, kept in one place.

The scripts are allowed by their SHA-256 hashes in deploy/nginx/snippets/aspire-app.conf's Content-Security-Policy:
the hash is taken over the text between <script> and </script>, so that text must not change by a single byte (a changed
script is blocked behind the proxy; tests/e2e/test_proxy.py names the hash it would need, and
tests/unit/test_injected.py checks both against the shipped configuration). What varies (the language, a
counter) sits in a hidden element's data attributes outside the script.
"""

from __future__ import annotations

import streamlit as st

from coaching import i18n

# Fixed code; the two values are a shipped language code and "ltr"/"rtl", never anything typed. Streamlit
# serves <html lang="en"> whatever the content: a screen reader would read German with English sounds.
# The values sit outside the script, so its text (and its hash in deploy/nginx/snippets/aspire-app.conf's
# Content-Security-Policy) is the same in every language.
PAGE_LANGUAGE = """<i hidden data-page-lang="LANG" data-page-dir="DIR"></i><script>
(() => {
  const marks = document.querySelectorAll('i[data-page-lang]');
  const mark = marks[marks.length - 1];
  if (!mark) return;
  document.documentElement.lang = mark.dataset.pageLang;
  document.documentElement.dir = mark.dataset.pageDir;
})();
</script>"""

# Fixed code, no input from anyone: a rerun keeps the scroll position, so after "Save and continue" at the
# bottom of a long section a phone would show the bottom of the next one, and keyboard focus would be lost.
# The counter sits outside the script, so the script's text (and its hash in deploy/nginx/snippets/aspire-app.conf's
# Content-Security-Policy) never changes while each move still redraws the element and runs it again.
TO_TOP = """<i hidden data-move="NONCE"></i><script>
(() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return;
  main.scrollTo({top: 0});
  const heading = main.querySelector('h1, h2, h3');
  if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({preventScroll: true}); }
})();
</script>"""

# A horizontal scale wraps when its labels do not fit (2-2-1 on a phone, 4-1 in Spanish on a laptop), putting
# "Agree" beside "Neither". So a scale is one row of equal columns whose labels wrap inside them, and below
# 640 px one column of five; either way in order. Right to left, the row runs from the right, and text and
# lists (which Streamlit aligns left) start on the right.
LAYOUT = """<style>
[data-testid="stRadio"] [role="radiogroup"] {
  display: grid; grid-auto-flow: column; grid-auto-columns: minmax(0, 1fr); gap: 0.5rem; align-items: start; }
[data-testid="stRadio"] [role="radiogroup"] > label { margin: 0; min-width: 0; align-items: flex-start; }
[data-testid="stRadio"] [role="radiogroup"] > label p { white-space: normal; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  [data-testid="stRadio"] [role="radiogroup"] { grid-auto-flow: row; grid-auto-columns: auto; gap: 0.25rem; }
}
html[dir="rtl"] [data-testid="stMain"] :is([data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"],
  p, li) { text-align: right; }
html[dir="rtl"] [data-testid="stMarkdownContainer"] :is(ol, ul) { padding-left: 0; padding-right: 1.5em; }
</style>"""


def page_language(code: str) -> None:
    """The page's lang and dir attributes for a shipped language code, and the narrow-screen layout of the scales."""
    st.html(PAGE_LANGUAGE.replace("LANG", code).replace("DIR", i18n.direction(code)), unsafe_allow_javascript=True)
    st.html(LAYOUT)


def to_top(move: int) -> None:
    """Back to the top of the page, keyboard focus on its heading; `move` numbers the move, so each runs anew."""
    st.html(TO_TOP.replace("NONCE", str(move)), unsafe_allow_javascript=True)
