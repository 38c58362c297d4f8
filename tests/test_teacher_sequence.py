"""The teacher's sequence: the ready-made one, its links, and hostile ``seq``/``at`` values."""

from __future__ import annotations

import pytest

from ui.sequence import MAX_POINTS, Point, Sequence, catalog, decode, ready_made


def test_ready_made_sequence_is_a_45_minute_class_of_known_points():
    seq = ready_made()
    assert 43 <= seq.minutes <= 47
    assert all(point in catalog() for point in seq.points)
    assert {p.kind for p in seq.points} == {"lesson", "claim"}
    assert all(point.note for point in seq.points)


def test_a_sequence_round_trips_through_its_link_and_each_link_opens_its_point():
    seq = Sequence((Point("lesson", "vanishing"), Point("claim", "gates_binary")), 1)
    back, notices = decode(seq.encode(), str(seq.position + 1))
    assert back == seq and notices == []
    assert seq.link_query(0)["scenario"] == "vanishing"
    from ui.claims import ClaimsState

    assert ClaimsState.from_query(seq.link_query(1))[0].claim == "gates_binary"
    assert seq.link_query(1)["at"] == "2"
    assert seq.moved(5).position == 1 and seq.moved(-5).position == 0


@pytest.mark.parametrize("raw, at", [
    ("lesson.nope", None), ("x" * 5000, "1"), (",,,", None), ("lesson.vanishing", "0"),
    ("lesson.vanishing", "9" * 5000), ("lesson.vanishing", "١"), ("<script>", None),
    ("claim.gates_binary," * (MAX_POINTS + 5), None),
])
def test_bad_sequence_links_give_notices_never_an_exception(raw, at):
    seq, notices = decode(raw, at)
    assert notices  # something was dropped, and the teacher is told
    assert all("<script>" not in str(n) for n in notices)
    if seq is not None:
        assert 0 <= seq.position < len(seq.points) <= MAX_POINTS
