"""Questionnaire: the statements of each version and how reliably each scale measures."""

import streamlit as st

from coaching.needs import SCALES, scale_label
from coaching.ui.context import current_actor, get_aspire

aspire = get_aspire()
current_actor()   # admins only: the menu offers this screen to them alone

st.title("Questionnaire")
versions = sorted(aspire.instruments, reverse=True)
version = st.selectbox("Version", versions, format_func=lambda v: f"Version {v}")
instrument = aspire.instruments[version]
reliability = aspire.reliability(version)

st.subheader("How reliably each scale measures")
estimated = all(r.estimated for r in reliability.values())
if estimated:
    st.caption(
        f"Estimated from {next(iter(reliability.values())).n} responses to this version. Cronbach's alpha below "
        "0.70 means the statements of a scale do not hang together well: reword them in the next version."
    )
else:
    st.caption(
        f"Fewer than {instrument.reliability.min_responses} responses so far: scoring assumes alpha "
        f"{instrument.reliability.default_alpha:.2f} and a spread of {instrument.reliability.default_sd:.0f} points "
        "until there are enough answers to estimate them."
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
