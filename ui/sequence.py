"""A teacher's sequence: points walked in order, each one link into the app with exact settings.

A point is a lesson scenario or a claim; its link is built from that page's state object
(:class:`ui.lessons.LessonsState`, :class:`ui.claims.ClaimsState`), so it opens exactly what a
share link of that view opens. A :class:`Sequence` is plain data, points and a position, and
travels in the URL: ``seq=lesson.why_tanh_candidate,claim.gates_binary`` and ``at=2``
(1-based). The ready-made "Why tanh in the LSTM?" sequence, its minutes and the teacher's notes
are in ``content/lessons/sequence.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from types import MappingProxyType

from i18n import N_, Text, lesson_text
from ui.content import CONTENT
from ui.state import PageState

KINDS = ("lesson", "claim")
SEQ_PARAM, AT_PARAM = "seq", "at"
MAX_POINTS = 40
MAX_PARAM_CHARS = 2000
#: Suggested minutes of a point the ready-made sequence does not list.
DEFAULT_MINUTES = {"lesson": 4, "claim": 2}
_ID = re.compile(r"[a-z0-9_.]{1,60}", re.ASCII)  # shown in a notice as it is; else "?"


@dataclass(frozen=True)
class Point:
    """One stop of a sequence: a lesson scenario or a claim, by key."""

    kind: str
    key: str

    @property
    def id(self) -> str:
        """The point as the URL writes it: ``kind.key``."""
        return f"{self.kind}.{self.key}"

    @property
    def page(self) -> str:
        """The URL path of the page that shows the point."""
        return "lessons" if self.kind == "lesson" else "claims"

    def state(self) -> PageState:
        """The state of :attr:`page` that shows this point (a claim with the filter on "all")."""
        if self.kind == "lesson":
            from ui.lessons import LessonsState

            return LessonsState(scenario=self.key)
        from ui.claims import ClaimsState

        return ClaimsState(claim=self.key)

    @property
    def title(self) -> str:
        """The point's title (a message id: show it with ``_()``)."""
        if self.kind == "lesson":
            from ui.lessons import scenario

            return scenario(self.key).title
        from lstm_core.claims import CLAIMS

        return CLAIMS[self.key].plain

    @property
    def minutes(self) -> int:
        """Suggested minutes: the ready-made sequence's, else a default for the kind."""
        return ready_made_details().get(self.id, (DEFAULT_MINUTES[self.kind], ""))[0]

    @property
    def note(self) -> str:
        """The teacher's note (a message id; "" if none)."""
        return ready_made_details().get(self.id, (0, ""))[1]


@dataclass(frozen=True)
class Sequence:
    """Points in order and the position of the one shown (0-based)."""

    points: tuple[Point, ...]
    position: int = 0

    @property
    def current(self) -> Point:
        return self.points[self.position]

    def moved(self, offset: int) -> Sequence:
        """The same sequence ``offset`` points further (kept inside it)."""
        return replace(self, position=max(0, min(len(self.points) - 1, self.position + offset)))

    @property
    def minutes(self) -> int:
        return sum(point.minutes for point in self.points)

    def encode(self) -> str:
        """The ``seq`` parameter: point ids separated by commas."""
        return ",".join(point.id for point in self.points)

    def query(self) -> dict[str, str]:
        """The ``seq`` and ``at`` parameters of this sequence at its position."""
        return {SEQ_PARAM: self.encode(), AT_PARAM: str(self.position + 1)}

    def link_query(self, position: int | None = None) -> dict[str, str]:
        """Every parameter of the link to point ``position`` (default: the current one): the
        point's page state, the sequence and the position."""
        at = self.position if position is None else position
        point = self.points[at]
        return point.state().to_query() | replace(self, position=at).query()


def catalog() -> tuple[Point, ...]:
    """Every point a sequence can hold: the lesson scenarios in lesson order, then the claims."""
    from lstm_core.claims import CLAIMS
    from ui.lessons import scenarios

    return (tuple(Point("lesson", s.key) for s in scenarios())
            + tuple(Point("claim", key) for key in CLAIMS))


def _ready_made_data() -> dict:
    return tomllib.loads((CONTENT / "lessons" / "sequence.toml").read_text(encoding="utf-8"))


@cache
def ready_made_title() -> str:
    """The ready-made sequence's title (a message id)."""
    return lesson_text("title", _ready_made_data()["sequence"][0]["title"])


@cache
def ready_made_details() -> Mapping[str, tuple[int, str]]:
    """Point id → (suggested minutes, teacher's note as a message id) of the ready-made
    sequence (read-only: the cache is shared by every session)."""
    return MappingProxyType({f"{p['kind']}.{p['key']}": (int(p["minutes"]),
                                                         lesson_text("note", p["note"]))
                             for p in _ready_made_data()["point"]})


def ready_made() -> Sequence:
    """The ready-made "Why tanh in the LSTM?" sequence, at its first point."""
    return Sequence(tuple(Point(*pid.split(".", 1)) for pid in ready_made_details()))


#: Why a sequence link was not taken as it is (shown with ``_()``).
TOO_LONG = N_("The link's sequence is too long; it was ignored.")
EMPTY = N_("The link's sequence holds no point this app knows; it was ignored.")


def decode(raw: object, at: object = None) -> tuple[Sequence | None, list[str]]:
    """The sequence of a link's ``seq`` (and ``at``) parameters, and friendly notices about
    what was dropped: unknown points, a position outside the sequence. None when there is no
    usable sequence. Never raises."""
    if raw is None or raw == "":
        return None, []
    if not isinstance(raw, str) or len(raw) > MAX_PARAM_CHARS:
        return None, [TOO_LONG]
    known = {point.id: point for point in catalog()}
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    points = [known[pid] for pid in ids if pid in known]
    unknown = [pid for pid in ids if pid not in known]
    notices: list[str] = []
    if unknown:
        shown = ", ".join(f"`{pid}`" if _ID.fullmatch(pid) else "`?`" for pid in unknown[:5])
        notices.append(Text("{count} unknown point(s) of the sequence were left out: {points}",
                            count=len(unknown), points=shown))
    if len(points) > MAX_POINTS:
        points = points[:MAX_POINTS]
        notices.append(Text("Only the first {count} points of the sequence are kept.",
                            count=MAX_POINTS))
    if not points:
        return None, [*notices, EMPTY]
    position = 0
    if at not in (None, ""):
        text = at if isinstance(at, str) else ""
        if len(text) <= 4 and text.isascii() and text.isdigit() and 1 <= int(text) <= len(points):
            position = int(text) - 1
        else:
            notices.append(Text("The link's position in the sequence is not 1…{count}; it "
                                "starts at point 1.", count=len(points)))
    return Sequence(tuple(points), position), notices
