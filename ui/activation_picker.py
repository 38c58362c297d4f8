"""The activation picker every page shares: registry keys plus the student's custom activation.

The custom expression lives as text in ``st.session_state[CUSTOM_KEY]`` once the student has
entered a valid one on the Activation Lab. Use with a selectbox::

    st.selectbox("Gate", activation_options(), format_func=activation_label, key=...)
    act = resolve_choice(st.session_state[...], leaky_slope)
"""

from __future__ import annotations

from functools import lru_cache

import streamlit as st

from i18n import Text, _
from lstm_core.activations import REGISTRY, Activation, get_activation
from lstm_core.expressions import ExpressionError, custom_activation

CUSTOM = "custom"
CUSTOM_KEY = "shared.custom_expression"


@lru_cache(maxsize=64)
def compiled_custom(text: str) -> Activation:
    """The custom activation for ``text``, memoised (pure and immutable, so safe to share).

    Raises :class:`ExpressionError` when ``text`` is not allowed.
    """
    return custom_activation(text)


def custom_expression() -> str | None:
    """The session's valid custom expression, or None."""
    text = st.session_state.get(CUSTOM_KEY)
    if not isinstance(text, str) or not text:
        return None
    try:
        compiled_custom(text)
    except ExpressionError:
        return None
    return text


def set_custom_expression(text: str) -> Activation:
    """Check ``text``; if valid, keep it for every page and return its activation.

    Raises :class:`ExpressionError` (and keeps the previous expression) when it is not valid.
    """
    activation = compiled_custom(text.strip())
    st.session_state[CUSTOM_KEY] = text.strip()
    return activation


def activation_options() -> list[str]:
    """Registry keys, plus ``"custom"`` when the session holds a valid custom expression."""
    options = list(REGISTRY)
    if custom_expression() is not None:
        options.append(CUSTOM)
    return options


def activation_label(key: str) -> str:
    """Display name for a key (a selectbox ``format_func``)."""
    if key == CUSTOM:
        text = custom_expression()
        if text:
            return _("custom: {expression}").format(expression=text)
        return _("custom (none entered yet)")
    return _(REGISTRY[key].name) if key in REGISTRY else key


def resolve_choice(key: str, leaky_slope: float = 0.01) -> Activation:
    """The activation for a picker choice: the registry's, or the session's custom one.

    Raises ``KeyError`` with a readable message for ``"custom"`` when no valid custom expression
    is set (ask the student to enter one on the Activation Lab) or for an unknown key.
    """
    if key == CUSTOM:
        text = custom_expression()
        if text is None:
            raise KeyError(
                Text("no custom activation yet: type one on the Activation Lab page first")
            )
        return compiled_custom(text)
    return get_activation(key, leaky_slope)
