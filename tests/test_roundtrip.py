"""Every page's view survives the round trip state → URL → new session: same state, same charts."""

from __future__ import annotations

import pytest

from tests.apptest_helpers import charts, no_exceptions, run_page

VIEWS = {
    "pages/activation_lab.py": {"activations": "tanh,hard_tanh,elu", "x_max": "9.5",
                                "eps": "0.1", "show_d2": "0", "custom": "x/(1+abs(x))"},
    "pages/step_through.py": {"cell_type": "GRU", "candidate": "relu", "preset": "noise",
                              "seed": "7", "steps": "60", "hidden_size": "3", "unit": "2"},
    "pages/compare.py": {"count": "3", "c3_candidate": "softsign", "weight_scale": "2.5",
                         "preset": "square"},
    "pages/gradient_flow.py": {"steps": "150", "forget_bias": "0.0", "candidate": "relu",
                               "loss": "every", "seed": "3"},
    "pages/training_lab.py": {"task": "recall", "presets": "lstm,gru", "seeds": "2",
                              "steps": "50", "clip": "0"},
    "pages/claims.py": {"claim": "derivative_maxima"},
    "pages/lessons.py": {"scenario": "forget_bias"},
}


def _traces(at) -> list:
    return [fig["data"] for fig in charts(at)]


@pytest.mark.parametrize(("path", "params"), VIEWS.items(), ids=list(VIEWS))
def test_state_to_url_to_new_session_gives_the_same_view(path, params):
    first = run_page(path, query=params)
    no_exceptions(first)
    assert not [i.value for i in first.info if "ignored" in i.value]
    link = dict(first.query_params.items())
    for name in params:
        assert name in link, f"{name} fell out of the link"
    second = run_page(path, query=link)
    no_exceptions(second)
    assert dict(second.query_params.items()) == link
    assert _traces(second) == _traces(first)
    widgets = {key: first.session_state[key] for key in first.session_state
               if key.startswith(path.split("/")[1].removesuffix(".py") + ".")
               and not key.endswith("__") and "__" not in key}
    for key, value in widgets.items():
        if key in second.session_state:
            assert second.session_state[key] == value, key
