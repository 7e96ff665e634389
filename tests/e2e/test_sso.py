"""Single sign-on in a real browser, against a real OpenID Connect provider on loopback.

One provider (oidc-provider-mock) and one app server with the demo organisation and an `[auth]` section
serve the whole module; each test has its own browser context, so its own cookies. The app reads its
secrets from a file under the test's temporary folder (`--secrets.files`), never the repo's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from coaching.ui.format import WORD_JOINER  # shown after '@' so a typed address never becomes a mailto link

from .helpers import (
    SSO_BUTTON,
    AppServer,
    OidcProvider,
    assert_no_exception,
    log_in,
    sso_app_server,
    sso_log_in,
    start_app,
    wait_for_app,
)


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    provider = OidcProvider(tmp_path_factory.mktemp("oidc")).start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory: pytest.TempPathFactory, oidc_provider: OidcProvider) -> Iterator[AppServer]:
    """The demo organisation with single sign-on through `oidc_provider`."""
    server = sso_app_server(tmp_path_factory.mktemp("sso-app"), oidc_provider, {"COACHING_DEMO": "1"}).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_known_email_logs_in_by_single_sign_on(page: Page, sso_app: AppServer, oidc_provider: OidcProvider) -> None:
    # The provider's address is matched to the account case-insensitively.
    sso_log_in(page, sso_app, oidc_provider, "Maria@Example.com")

    expect(page.get_by_text("Logged in as Maria Lopez (manager)")).to_be_visible()
    expect(page.get_by_role("link", name="Team")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    assert_no_exception(page)

    # A new browser session (reload) stays logged in: Streamlit keeps the provider's identity in a cookie.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Logged in as Maria Lopez (manager)")).to_be_visible()
    assert_no_exception(page)


def test_an_unknown_email_gets_no_access(page: Page, sso_app: AppServer, oidc_provider: OidcProvider) -> None:
    sso_log_in(page, sso_app, oidc_provider, "stranger@example.com")

    expect(page.get_by_text(
        f"No Aspire account uses stranger@{WORD_JOINER}example.com. Ask an administrator to create one."
    )).to_be_visible()
    expect(page.get_by_text("Logged in as")).to_have_count(0)
    expect(page.get_by_role("link", name="Team")).to_have_count(0)
    expect(page.get_by_role("link", name="Home")).to_have_count(0)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    assert_no_exception(page)

    # A page of the app typed into the address bar still shows the login screen only (under
    # Streamlit's "Page not found" notice: without an account, the page does not exist).
    page.goto(f"{sso_app.url}/team")
    wait_for_app(page)
    expect(page.get_by_text(f"No Aspire account uses stranger@{WORD_JOINER}example.com.")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
    expect(page.get_by_text("Logged in as")).to_have_count(0)
    page.goto(sso_app.url)
    wait_for_app(page)

    # Logging out of single sign-on goes through the provider's end-session page and back to the
    # login screen, which offers single sign-on again.
    page.get_by_role("button", name="Log out of single sign-on").click()
    page.wait_for_url(f"{oidc_provider.url}/**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{sso_app.url}/**")
    wait_for_app(page)
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    expect(page.get_by_text("No Aspire account uses")).to_have_count(0)
    assert_no_exception(page)


def test_log_out_also_ends_the_single_sign_on_session(
    page: Page, sso_app: AppServer, oidc_provider: OidcProvider
) -> None:
    sso_log_in(page, sso_app, oidc_provider, "maria@example.com")
    expect(page.get_by_text("Logged in as Maria Lopez")).to_be_visible()
    page.get_by_role("link", name="My account").click()
    wait_for_app(page)
    page.get_by_role("button", name="Log out").click()

    # Our "Log out" also logs out at the provider (its end-session page), then comes back logged out:
    # without that, the identity cookie would log the person straight back in.
    page.wait_for_url(f"{oidc_provider.url}/**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{sso_app.url}/**")
    wait_for_app(page)
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    expect(page.get_by_text("Logged in as")).to_have_count(0)
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    expect(page.get_by_text("Logged in as")).to_have_count(0)
    assert_no_exception(page)


def test_the_password_form_still_works_next_to_single_sign_on(page: Page, sso_app: AppServer) -> None:
    log_in(page, sso_app, "sam@example.com", "demo-manager-2")
    expect(page.get_by_text("Logged in as")).to_be_visible()
    assert_no_exception(page)


def test_without_secrets_the_login_page_offers_no_single_sign_on(
    page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A secrets path that does not exist: the app runs with no secrets file at all, whatever the
    # developer keeps in .streamlit/secrets.toml.
    workdir = tmp_path_factory.mktemp("no-secrets-app")
    with start_app(workdir, {"COACHING_DEMO": "0"},
                   extra_args=["--secrets.files", str(workdir / "missing" / "secrets.toml")]) as app:
        page.goto(app.url)
        wait_for_app(page)
        expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name=SSO_BUTTON)).to_have_count(0)
        assert_no_exception(page)
