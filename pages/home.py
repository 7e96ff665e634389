"""Home: what Aspire is for, and the needs of the people this manager coaches."""

import streamlit as st

from coaching.charts import needs_overview
from coaching.needs import scale_label
from coaching.profiles import latest_answered, summarise
from coaching.ui.context import current_actor, get_aspire

aspire = get_aspire()
actor = current_actor(aspire)

st.title("Aspire")
st.markdown(
    "People often mix up **aspirations**, what they need from their job, with **goals**, the dated steps "
    "they plan to take. Aspire helps you find each person's needs first, then agree goals that serve them "
    "on a path your organisation really offers."
)
st.markdown(
    "- **Ask**: send your team a short questionnaire; everyone gets a personal link.\n"
    "- **See**: each person's needs (status, financial security, expertise, autonomy, balance) next to the "
    "paths on offer.\n"
    "- **Coach**: talking points, goals tied to needs, and a yearly review of what changed."
)

answered = latest_answered(aspire, actor)
if answered is None:
    st.info(
        "No answers yet from the people you coach. Once your team has answered the questionnaire, "
        "their needs appear here.",
        icon=":material/hourglass_empty:",
    )
    st.stop()

wave, members = answered
newest = aspire.store.waves()[-1]
if newest.id != wave.id:
    st.caption(f"Wave {newest.name} has no answers yet; showing wave {wave.name}.")
st.subheader(f"What your people need — wave {wave.name}")
summaries = summarise(members)
top = max((s for s in summaries if "." not in s.scale), key=lambda s: s.mean)
st.caption(
    f"Averages over the {len(members)} people who answered. The strongest need across your teams is "
    f"{scale_label(top.scale).lower()} ({top.mean:.0f} of 100); security's two facets are shown under it."
)
if st.toggle("Show as table", key="home_table"):
    st.dataframe(
        [{"Need": scale_label(s.scale), "Average": s.mean, "Lowest": s.low, "Highest": s.high, "People": s.n}
         for s in summaries],
        hide_index=True,
    )
else:
    st.plotly_chart(
        needs_overview(summaries), width="stretch", config={"displayModeBar": False},
        alt=f"Bar chart of average need scores; highest is {scale_label(top.scale)}.",
    )
