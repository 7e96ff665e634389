"""Round screen helpers: links kept for this browser session only, and the tracking table."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from coaching.rounds.mail import SendResult, links_csv, mailto_url
from coaching.rounds.round_rows import RoundRow
from coaching.rounds.rounds import Link, RoundStatus
from coaching.ui.format import plain
from coaching.ui.state import RoundsScreen


def keep_links(round_id: int, links: list[Link]) -> None:
    """Links are secrets shown once: they live in this session only, never in the database."""
    kept = RoundsScreen.links.setdefault({})
    kept.setdefault(round_id, {}).update({link.member_id: link for link in links})


def fresh_links(round_id: int) -> list[Link]:
    return list((RoundsScreen.links.get() or {}).get(round_id, {}).values())


def links_table(links: list[Link], round_row: RoundRow, manager_name: str, zone: ZoneInfo) -> None:
    """One row per person: copy the link, or open an e-mail to them; all links as a CSV file."""
    for link in sorted(links, key=lambda k: k.name):
        name, address, mail = st.columns([2, 5, 1], vertical_alignment="center")
        name.markdown(f"**{plain(link.name)}**  \n{plain(link.email)}")
        address.code(link.url, language=None)
        deadline = round_row.deadline.astimezone(zone)
        mail.link_button("E-mail", mailto_url(link, round_message=round_row.message, deadline=deadline,
                                              manager_name=manager_name), icon=":material/mail:")
    st.download_button("Download all links (CSV)", links_csv(links), file_name="aspire-links.csv",
                       mime="text/csv", icon=":material/download:")


def status_table(status: RoundStatus) -> list[dict[str, str]]:
    return [
        {
            "Member": m.name,
            "State": m.state.value,
            "Reminded": ", ".join(f"{at:%Y-%m-%d}" for at in m.reminded) or "—",
            "Last send": f"failed: {m.last_failure}" if m.last_failure else "—",
        }
        for m in status.members
    ]


def show_send_results(results: list[SendResult]) -> None:
    """Who got the e-mail, and who did not and why: those can be retried alone."""
    failed = [r for r in results if not r.ok]
    if len(failed) < len(results):
        st.success(f"Sent to {len(results) - len(failed)} of {len(results)} people.", icon=":material/mark_email_read:")
    for r in failed:
        st.error(f"Not sent to {plain(r.name)} <{plain(r.email)}>: {plain(r.error or 'unknown reason')}")


def sending_progress(total: int):
    """A progress bar and the callback mail.send_* reports each recipient to."""
    bar = st.progress(0.0, text=f"Sending 0 of {total}…")
    done: list[SendResult] = []

    def tick(result: SendResult) -> None:
        done.append(result)
        bar.progress(len(done) / max(total, 1), text=f"Sending {len(done)} of {total}…")

    return tick
