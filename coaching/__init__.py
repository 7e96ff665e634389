"""Aspire: career-aspiration coaching. The domain package; it never imports Streamlit (except coaching.ui)."""
