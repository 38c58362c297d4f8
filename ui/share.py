"""Share a view: a link that reproduces it, and the same view as a JSON file to load back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from i18n import Text, _
from ui.language import link_params
from ui.state import PageState

#: Pages a view file may open, by URL path, and their script files.
PAGE_FILES = {
    "": "pages/home.py",
    "claims": "pages/claims.py",
    "activation_lab": "pages/activation_lab.py",
    "step_through": "pages/step_through.py",
    "compare": "pages/compare.py",
    "gradient_flow": "pages/gradient_flow.py",
    "training_lab": "pages/training_lab.py",
    "lessons": "pages/lessons.py",
    "teach": "pages/teach.py",
}
MAX_VIEW_FILE_BYTES = 20_000


class ViewFileError(ValueError):
    """A view file that cannot be opened (with a friendly message: ``str()`` gives it in the
    session's language)."""

    def __str__(self) -> str:
        message = self.args[0] if len(self.args) == 1 else None
        return _(message) if isinstance(message, str) else super().__str__()


def view_link(url_path: str, state: PageState) -> str:
    """The full link to ``url_path`` with the state's parameters (teacher mode kept)."""
    query = state.to_query() | link_params()
    if st.query_params.get("teacher") == "1":
        query["teacher"] = "1"
    base = st.context.url or "http://localhost:8501/"
    scheme, netloc, _, _, _ = urlsplit(base)
    return urlunsplit((scheme, netloc, "/" + url_path, urlencode(query), ""))


def view_json(url_path: str, state: PageState) -> str:
    params = state.to_query() | link_params()
    return json.dumps({"app": "lstm-lens", "page": url_path, "params": params}, indent=2)


SHARE_CSS = """
.lens-share-link { display: block; font-family: "Source Code Pro", monospace; font-size: 0.85rem;
  background: rgba(172, 177, 195, 0.15); border-radius: 0.5rem; padding: 0.6rem 0.75rem;
  word-break: break-all; user-select: all; margin-bottom: 0.6rem; }
.lens-share-row { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.lens-share button { font: inherit; font-size: 0.9rem; padding: 0.3rem 0.75rem; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.3); border-radius: 0.5rem; background: transparent;
  color: inherit; min-height: 2.4rem; }
.lens-share button:hover, .lens-share button:focus-visible { border-color: #0072B2;
  color: #0072B2; }
"""
_share_component = st.components.v2.component(
    "lstm_lens_share", css=SHARE_CSS, isolate_styles=False,
    html='<div class="lens-share"><code class="lens-share-link"></code>'
         '<div class="lens-share-row"><button type="button" class="lens-share-copy"></button>'
         '<button type="button" class="lens-share-download"></button></div></div>',
    js=(Path(__file__).parent / "static" / "share_link.js").read_text(encoding="utf-8"),
)


def share_box(url_path: str, state: PageState, live: Sequence[str] = ()) -> None:
    """A popover with the link to this exact view and a JSON download of it.

    ``live``: parameters the browser changes in the address bar without a rerun (the
    Step-Through's in-chart step); the link and the file take their values from there.
    """
    with st.popover(_("Share this view"), icon=":material/share:"):
        st.caption(_("This link reproduces exactly what you see, seeds included (copy it with "
                     "the button below it):"))
        params = state.to_query() | link_params()
        link = view_link(url_path, state)
        _share_component(key=f"{url_path}.share", width="stretch", height="content", data={
            "link": link, "params": params, "page": url_path, "live": list(live),
            "filename": f"lstm-lens-{url_path or 'home'}.json",
            "labels": {"copy": _("Copy the link"), "copied": _("Copied"),
                       "download": _("Download the view as JSON")},
        })


def parse_view_file(data: bytes) -> tuple[str, dict[str, str]]:
    """The page file and parameters of a view file; :class:`ViewFileError` if it is not one.

    Only the page and plain string parameters are read; the page validates the parameters
    itself, exactly as for a link.
    """
    if len(data) > MAX_VIEW_FILE_BYTES:
        raise ViewFileError(Text("The file is larger than {size} kB; a view file is a few "
                                 "hundred bytes.", size=MAX_VIEW_FILE_BYTES // 1000))
    try:
        view = json.loads(data.decode("utf-8"))
    # ValueError also covers an integer over Python's 4,300-digit limit, not only bad JSON.
    except (ValueError, RecursionError):
        raise ViewFileError(Text("This is not a JSON view file saved by LSTM Lens.")) from None
    if not isinstance(view, dict) or view.get("app") != "lstm-lens":
        raise ViewFileError(Text("This JSON file was not saved by LSTM Lens (no \"app\": "
                                 "\"lstm-lens\")."))
    page = view.get("page")
    if not isinstance(page, str) or page not in PAGE_FILES:
        raise ViewFileError(Text("Unknown page in the file; expected one of {pages}.",
                                 pages=", ".join(p or "home" for p in PAGE_FILES)))
    params = view.get("params", {})
    if not isinstance(params, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in params.items()
    ):
        raise ViewFileError(Text("\"params\" must map names to text values."))
    return PAGE_FILES[page], params
