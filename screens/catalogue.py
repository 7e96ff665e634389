"""Catalogue: the growth paths the organisation offers, each with the needs it claims to serve.

Everyone logged in reads it (managers see what is on offer); admins edit, add and retire options.
Every change keeps the earlier version, so each option's history is shown with it.
"""

import streamlit as st

from coaching.core.actors import Role
from coaching.core.editing import EditConflict
from coaching.core.needs import NEEDS
from coaching.paths import editing as paths
from coaching.paths.catalogue import PathKind, PathOption
from coaching.paths.catalogue_rows import OptionVersion
from coaching.ui.context import current_actor, flash, get_aspire, show_flash
from coaching.ui.format import plain
from coaching.ui.paths import show_admin_directions, show_framework_import
from coaching.ui.state import CatalogueScreen, Fields
from coaching.ui.tables import show_table
from coaching.views.view import openings_text

aspire = get_aspire()
actor = current_actor()
KINDS = list(PathKind)
BAND = ("minimum", "midpoint", "maximum")
PAY_BAND = "Pay band (minimum – midpoint – maximum)"
offer = sorted(paths.current_offer(aspire),
               key=lambda v: (KINDS.index(v.option.kind), v.option.rank or 0, v.option.name))
by_key = {v.option.key: v for v in offer}
labels = {k: f"{v.option.kind.label}: {v.option.name}" for k, v in by_key.items()}
zone = aspire.settings.zone

st.title("Growth paths on offer")
show_flash()
st.caption("Each option says how strongly (0 to 1) it serves each need: the organisation's claim, open to all. "
           "Pay bands are the organisation's public ranges per level.")


def row(option: PathOption) -> dict:
    """One option as a table row: levels on a track show their rank and pay band next to the rest."""
    shown = {"Rank": option.rank} if option.kind.is_track else {}
    shown |= {"Option": option.name, "Scope": option.scope, "Why": option.why,
              "Openings": openings_text(option.openings)}
    if option.kind.is_track:
        shown[PAY_BAND] = paths.band_text(option.band)
        shown |= {"Entry rung": option.entry, "Expectations": "; ".join(option.expectations)}
    return shown


def needs_row(option: PathOption) -> dict:
    """The need profile in a table of its own, so neither table is wider than a laptop's screen."""
    return {"Option": option.name} | {n.label: f"{option.support[n]:.2f}" for n in NEEDS}


def when(version: OptionVersion) -> tuple[str, str]:
    until = "now" if version.valid_to is None else f"{version.valid_to.astimezone(zone):%Y-%m-%d %H:%M}"
    return f"{version.valid_from.astimezone(zone):%Y-%m-%d %H:%M}", until


def history_rows(versions: list[OptionVersion]) -> list[dict]:
    """Each version with its span and what it changed from the one before."""
    before = [None, *(v.option for v in versions)]
    return [{"Version": v.version, "From": when(v)[0], "Until": when(v)[1],
             "What changed": "first version" if old is None else "; ".join(paths.differences(old, v.option)) or "—"}
            for v, old in zip(versions, before, strict=False)]


def changes(before: PathOption, after: PathOption) -> str:
    return plain("; ".join(paths.differences(before, after)) or "nothing")


if not offer:
    st.info("The catalogue is empty: nothing is on offer, so no one's needs can be compared with a path. "
            + ("Add the tracks, pay bands and flexible and self-directed options below." if actor.role is Role.ADMIN
               else "Ask an HR admin to add the organisation's tracks and options."), icon=":material/inventory_2:")
for kind in PathKind:
    if entries := [v for v in offer if v.option.kind is kind]:
        st.subheader(kind.label)
        show_table([row(v.option) for v in entries], f"catalogue-{kind}")
        st.caption("How strongly each serves each need, from 0 (not at all) to 1 (fully):")
        show_table([needs_row(v.option) for v in entries], f"catalogue-{kind}-needs")
        for v in entries:
            with st.expander(f"History of {plain(v.option.name)}", icon=":material/history:"):
                show_table(history_rows(paths.option_history(aspire, actor, v.option.key)), f"history-{v.option.key}")

if actor.role is not Role.ADMIN:
    st.caption("Only HR admins change the catalogue: tell them when an option your people need is missing.")
    st.stop()


def fill(form: Fields, version: OptionVersion) -> None:
    """Put an option's stored values and version into its edit form's session state."""
    o = version.option
    values = {"name": o.name, "rank": o.rank, "scope": o.scope, "why": o.why, "openings": o.openings,
              "currency": o.band.currency if o.band else "", "expectations": "\n".join(o.expectations),
              "entry": o.entry}
    values |= {f"support_{n}": o.support[n] for n in NEEDS}
    values |= {f"band_{f}": float(getattr(o.band, f)) if o.band else None for f in BAND}
    form.fill(values, version.version)


def option_fields(form: Fields, track: bool) -> dict:
    """The option form's inputs (values live in session state under the form's prefix), as paths' fields."""
    fields = {"name": st.text_input("Name", key=form.key("name"), max_chars=80)}
    if track:
        fields["rank"] = st.number_input("Rank on its track (1 = first level)", 1, 99, value=None,
                                         key=form.key("rank"))
    fields["scope"] = st.text_input("Scope (optional)", key=form.key("scope"), max_chars=200)
    fields["why"] = st.text_area("Why it serves these needs (one sentence)", key=form.key("why"), max_chars=400)
    fields["openings"] = st.number_input("Openings now (leave empty when not limited)", 0, value=None,
                                         key=form.key("openings"))
    st.markdown("**Need profile**: how strongly it serves each need, from 0 (not at all) to 1 (fully)")
    start = 0.0 if form is CatalogueScreen.new else None   # an edit form's values come from session state
    fields["support"] = {str(n): col.number_input(n.label, 0.0, 1.0, value=start, step=0.05, format="%.2f",
                                                  key=form.key(f"support_{n}"))
                         for n, col in zip(NEEDS, st.columns(len(NEEDS)), strict=True)}
    if track:
        st.markdown("**Pay band** (leave all empty for none)")
        cols = st.columns(4)
        fields["band"] = {f: col.number_input(f.title(), 0.0, value=None, step=1000.0, format="%.2f",
                                              key=form.key(f"band_{f}")) for f, col in zip(BAND, cols, strict=False)}
        fields["band"]["currency"] = cols[3].text_input("Currency", key=form.key("currency"), max_chars=3)
        fields["expectations"] = st.text_area("What this level asks of a person (one expectation per line)",
                                              key=form.key("expectations"), height=100)
        fields["entry"] = st.checkbox("Entry rung: where a person not yet on this ladder starts", key=form.key("entry"))
    return fields


def save_edit(read: OptionVersion, form: Fields, fields: dict) -> None:
    """Save the edit form; a refusal or a conflict is shown next to the typed values, which stay."""
    key, seen = read.option.key, form.version.get()
    try:
        saved = paths.edit_option(aspire, actor, key, seen, fields)
    except paths.OptionRejected as exc:
        st.error("Not saved: " + plain("; ".join(exc.problems)), icon=":material/error:")
    except EditConflict as exc:
        opened = next(v for v in paths.option_history(aspire, actor, key) if v.version == seen)
        st.error(plain(str(exc)), icon=":material/sync_problem:")
        st.info(f"Changed meanwhile: {changes(opened.option, read.option)}. The form keeps what you typed.")
        form.version.set(read.version)
    else:
        form.clear()
        flash(f"Saved {plain(saved.option.name)}. Changed: {changes(read.option, saved.option)}.")


@st.dialog("Retire an option")
def confirm_retire(version: OptionVersion) -> None:
    st.markdown(f"**{plain(version.option.name)}** leaves the offer from now on. Views of earlier waves still "
                "show it, and its history stays.")
    if st.button("Retire", type="primary", icon=":material/archive:"):
        try:
            paths.retire_option(aspire, actor, version.option.key, version.version)
        except paths.OptionRejected as exc:
            st.error(plain("; ".join(exc.problems)), icon=":material/error:")
        except EditConflict as exc:
            st.error(plain(str(exc)), icon=":material/sync_problem:")
        else:
            flash(f"Retired {plain(version.option.name)}.")


st.header("Change the catalogue")
edit_tab, add_tab, retire_tab, import_tab, directions_tab = st.tabs(
    ["Edit an option", "Add option", "Retire", "Import a career framework", "Where needs point"])
with edit_tab:
    if not offer:
        st.info("Nothing to edit yet: add an option first.", icon=":material/edit:")
    else:
        chosen = by_key[st.selectbox("Option", list(by_key), format_func=labels.get, key="catalogue_edit_key")]
        form = CatalogueScreen.edit(chosen.option.key)
        if not form.has("name"):   # the form shows the option as read now, with that version
            fill(form, chosen)
        with st.form("edit_option"):
            fields = option_fields(form, chosen.option.kind.is_track)
            if st.form_submit_button("Save changes", icon=":material/save:"):
                save_edit(chosen, form, fields)
with add_tab, st.form("add_option"):
    new = {"key": st.text_input("Key (lower-case letters, digits and _; it never changes)",
                                key=CatalogueScreen.new.key("key"), max_chars=40),
           "kind": st.selectbox("Kind", KINDS, format_func=lambda k: k.label, key=CatalogueScreen.new.key("kind"))}
    new |= option_fields(CatalogueScreen.new, track=True)
    st.caption("Rank and pay band are for levels on a track; leave them empty for other options.")
    if st.form_submit_button("Add option", icon=":material/add:"):
        try:
            added = paths.add_option(aspire, actor, new)
        except paths.OptionRejected as exc:
            st.error("Not added: " + plain("; ".join(exc.problems)), icon=":material/error:")
        else:
            CatalogueScreen.new.clear()
            flash(f"Added {plain(added.option.name)} to {added.option.kind.label.lower()}.")
with retire_tab:
    if offer:
        gone = st.selectbox("Option", list(by_key), format_func=labels.get, key="catalogue_retire_key")
        if st.button("Retire…", icon=":material/archive:"):
            confirm_retire(by_key[gone])
with import_tab:
    show_framework_import(aspire, actor)
with directions_tab:
    show_admin_directions(aspire, actor)
