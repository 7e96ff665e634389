"""The respondent page's two scripts are exactly the ones the shipped proxy allows: the Content-Security-Policy in
deploy/nginx/snippets/aspire-app.conf (every shipped site includes it) names each by the SHA-256 of its text, so
one changed byte would block it."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from coaching.ui.injected import PAGE_LANGUAGE, TO_TOP

POLICY = Path("deploy/nginx/snippets/aspire-app.conf").read_text(encoding="utf-8")


@pytest.mark.parametrize(("html", "values"), [(PAGE_LANGUAGE, ("LANG", "DIR")), (TO_TOP, ("NONCE",))],
                         ids=["page language", "to the top"])
def test_each_script_is_allowed_by_its_hash_in_the_proxys_policy(html: str, values: tuple[str, ...]) -> None:
    script = re.fullmatch(r"(?s)(<i hidden [^>]*></i>)<script>(.*)</script>", html)
    assert script, html
    assert all(v in script.group(1) and v not in script.group(2) for v in values), "what varies is outside"
    digest = base64.b64encode(hashlib.sha256(script.group(2).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in POLICY
