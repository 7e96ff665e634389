"""Questionnaire: the statements of each version and how reliably each scale measures."""

import pandas as pd
import streamlit as st

from coaching.core.needs import SCALES, scale_label
from coaching.i18n import LANGUAGES
from coaching.measurement.reliability import current_estimate, reliability_by_language
from coaching.measurement.versions import instruments
from coaching.ui.context import current_actor, get_aspire

aspire = get_aspire()
current_actor()   # admins only: the menu offers this screen to them alone

st.title("Questionnaire")
versions = sorted(instruments(aspire), reverse=True)
version = st.selectbox("Version", versions, format_func=lambda v: f"Version {v}")
instrument = instruments(aspire)[version]
estimate = current_estimate(aspire, version)
reliability = estimate.table
left_out = estimate.basis.left_out

st.subheader("How reliably each scale measures")
counted = next(iter(reliability.values())).n
if all(r.estimated for r in reliability.values()):
    st.caption(
        f"Estimated from {counted} responses to this version. Cronbach's alpha below 0.70 means the statements "
        "of a scale do not hang together well: reword them in the next version. Financial security is "
        "estimated over its two facets (stratified alpha)."
    )
else:
    st.caption(
        f"{counted} usable responses so far, fewer than the {instrument.reliability.min_responses} needed: "
        f"scoring assumes alpha {instrument.reliability.default_alpha:.2f} and a spread of "
        f"{instrument.reliability.default_sd:.0f} points for a scale of {instrument.reliability.base_items} "
        "statements, carried to each scale's own number of statements, until there are enough answers to "
        "estimate them."
    )
if left_out:
    st.caption(
        f"{left_out} straight-lined {'response was' if left_out == 1 else 'responses were'} left out (the same "
        "answer to every statement says nothing about how a scale's statements hang together)."
    )
st.dataframe(
    [
        {
            "Scale": scale_label(scale),
            "Statements": len(instrument.items_for(scale)),
            "Cronbach's alpha": round(reliability[scale].alpha, 2),
            "Measurement error (SEM, points)": round(reliability[scale].sem, 1),
            "Source": "estimated" if reliability[scale].estimated else "default",
        }
        for scale in SCALES
    ],
    hide_index=True,
)

by_language = reliability_by_language(aspire, version)
if by_language:
    st.subheader("Reliability per language")
    st.caption(
        "Every language has the same statements and scale, so scores compare; alpha per language shows whether "
        f"a translation measures as well. A language is shown once it has {instrument.reliability.min_responses} "
        "responses."
    )
    st.table(pd.DataFrame(
        [{"Language": LANGUAGES.get(code, code), "Responses": next(iter(table.values())).n,
          **{scale_label(scale): f"{table[scale].alpha:.2f}" for scale in SCALES}}
         for code, table in by_language.items()]
    ).set_index("Language"))

st.subheader("Statements")
st.caption(f"Rated from 1 ({instrument.scale.labels[0]}) to {instrument.scale.max} ({instrument.scale.labels[-1]}).")
st.dataframe(
    [
        {
            "Statement": item.text,
            "Need": scale_label(item.facet.scale if item.facet else item.need),
            "Reverse-worded (twin)": item.reverse_of or "",
            "Id": item.id,
        }
        for item in instrument.items
    ],
    hide_index=True,
    width="stretch",
)
