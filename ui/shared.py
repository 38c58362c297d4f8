"""Session values that several pages share (set on one page, read on others)."""

from __future__ import annotations

import math

import streamlit as st

from lstm_core.diagnoses import EPSILON as DEFAULT_EPSILON

#: Session key of the saturation threshold ε set on the Activation Lab.
EPSILON_KEY = "shared.epsilon"


def set_epsilon(value: float) -> None:
    st.session_state[EPSILON_KEY] = value


def shared_epsilon() -> float:
    """The session's ε (set on the Activation Lab), or the default when unset or unusable."""
    value = st.session_state.get(EPSILON_KEY, DEFAULT_EPSILON)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return DEFAULT_EPSILON
    return value if math.isfinite(value) and 0.0 < value < 1.0 else DEFAULT_EPSILON
