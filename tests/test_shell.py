"""The shell: every page runs with defaults, the navigation lists every page file, the config."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.apptest_helpers import chart_messages, no_exceptions, run_page

ROOT = Path(__file__).resolve().parents[1]
PAGE_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))


def test_every_page_file_is_in_the_navigation():
    router = (ROOT / "app.py").read_text()
    missing = [path for path in PAGE_FILES if f'"{path}"' not in router]
    assert not missing, f"pages not in app.py's navigation: {missing}"


@pytest.mark.parametrize("path", PAGE_FILES)
def test_page_runs_with_defaults(path):
    at = run_page(path)
    no_exceptions(at)
    assert at.title or at.header or at.markdown, "the page shows nothing"


def test_home_shows_the_six_lstm_equations_in_gate_order():
    at = run_page("pages/home.py")
    equations = [latex.value for latex in at.latex]
    assert len(equations) == 6
    assert [eq.strip("$ \n")[0] for eq in equations] == ["i", "f", "g", "o", "c", "h"]


def test_streamlit_config_is_safe_and_colour_blind_friendly():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert len(config["theme"]["chartCategoricalColors"]) >= 10
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] == 1
    assert "global" not in config


def test_teacher_mode_from_a_link_hides_controls_and_can_be_left():
    # The router draws the toggle, so this runs app.py itself
    # (only the first run: AppTest reruns the page file without the router). Leaving it is
    # tested in the browser.
    at = run_page("pages/home.py", query={"teacher": "1"})
    no_exceptions(at)
    assert at.sidebar.toggle(key="shared.teacher").value is True
    styles = [el.proto.body for el in at.get("html")]
    assert any('[data-testid="stSidebar"]' in body and "display: none" in body for body in styles)
    assert at.query_params["teacher"] == "1"
    assert at.button(key="teacher_exit").label == "Leave teacher mode"
    plain = run_page("pages/home.py")
    assert plain.sidebar.toggle(key="shared.teacher").value is False
    assert not [el for el in plain.get("html") if "stSidebar" in el.proto.body]


def test_a_link_carries_the_custom_activation_it_uses():
    expression = "x/(1+abs(x))"
    at = run_page("pages/step_through.py", session={"shared.custom_expression": expression})
    at.selectbox(key="step_through.candidate").select_index(12).run()  # "custom"
    no_exceptions(at)
    assert at.query_params["candidate"] == "custom" and at.query_params["custom"] == expression
    # A new session opening that link gets the expression and the same view.
    again = run_page("pages/step_through.py", query=dict(at.query_params.items()))
    no_exceptions(again)
    assert again.session_state["shared.custom_expression"] == expression
    assert again.session_state["step_through.candidate"] == "custom"
    assert not [w for w in again.warning if "custom" in w.value]
    bad = run_page("pages/step_through.py", query={"candidate": "custom",
                                                   "custom": "__import__('os')"})
    no_exceptions(bad)
    assert any("custom" in i.value and "not a valid expression" in i.value for i in bad.info)


def test_chart_download_format_and_data_table_twin():
    at = run_page("pages/claims.py", session={"shared.image_format": "png",
                                              "shared.data_tables": True})
    no_exceptions(at)
    config = chart_messages(at)[0]["config"]
    assert config["toImageButtonOptions"] == {"format": "png", "scale": 2,
                                              "filename": "lstm-lens-claims-evidence"}
    twins = [d.value for d in at.dataframe if set(d.value.columns) == {"series", "x", "y"}]
    assert len(twins) == 1 and len(twins[0]) >= 100
    assert set(twins[0].series) == {"input gate", "forget gate", "output gate"}  # 1st claim


def test_home_links_every_page_it_names_and_the_icon_ships_with_the_app():
    import ast

    at = run_page("pages/home.py")
    links = {link.proto.page.removesuffix(".py").split("/")[-1] for link in at.get("page_link")}
    assert links >= {"activation_lab", "step_through", "compare", "gradient_flow",
                     "training_lab", "lessons"}
    # No icon fetched from the internet: the page icon is a file of the app.
    tree = ast.parse((ROOT / "app.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", "") == "set_page_config"]
    icon = next(k.value for k in calls[0].keywords if k.arg == "page_icon")
    assert not (isinstance(icon, ast.Constant) and str(icon.value).startswith(":"))
    assert (ROOT / "ui" / "static" / "icon.png").is_file()
