"""Typed session state: each value a screen keeps between reruns is an attribute, its key named once.

    class Walk(State):
        step: Kept[int] = Kept("respond_step", 0)

    Walk().step += 1

reads and writes `st.session_state["respond_step"]`; a type checker sees an int. The key is still the string
Streamlit stores (tests may read it), but no screen spells it: it is written in one class only.
"""

from __future__ import annotations

from typing import Generic, TypeVar, overload

import streamlit as st

T = TypeVar("T")


class Kept(Generic[T]):
    """One value in `st.session_state` under `key`; `default` when it is not there (a copy is never made)."""

    def __init__(self, key: str, default: T = None) -> None:   # type: ignore[assignment]
        self.key = key
        self.default = default

    @overload
    def __get__(self, owner: None, kind: type) -> Kept[T]: ...
    @overload
    def __get__(self, owner: object, kind: type) -> T: ...
    def __get__(self, owner: object | None, kind: type) -> Kept[T] | T:
        if owner is None:
            return self
        return st.session_state.get(self.key, self.default)

    def __set__(self, owner: object, value: T) -> None:
        st.session_state[self.key] = value

    def __delete__(self, owner: object) -> None:
        st.session_state.pop(self.key, None)


class State:
    """A group of kept values (one screen's or widget group's); `forget()` removes them all at once."""

    def forget(self) -> None:
        for kept in vars(type(self)).values():
            if isinstance(kept, Kept):
                st.session_state.pop(kept.key, None)
