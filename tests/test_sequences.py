"""Input presets, typed values and CSV files: hand-worked values and every bad input."""

import numpy as np
import pytest

from lstm_core.sequences import (
    MAX_STEPS,
    PRESETS,
    InputError,
    make_sequence,
    parse_sequence_csv,
    parse_sequence_text,
)
from lstm_core.stocks import WEEKS


def test_presets_by_hand():
    assert make_sequence("constant", 3, amplitude=2.0).tolist() == [[2.0], [2.0], [2.0]]
    assert make_sequence("step", 8).ravel().tolist() == [0, 0, 1, 1, 1, 1, 1, 1]
    assert make_sequence("impulse", 8).ravel().tolist() == [0, 0, 1, 0, 0, 0, 0, 0]
    assert make_sequence("remember", 4, amplitude=3).ravel().tolist() == [3, 0, 0, 0]
    assert make_sequence("ramp", 5).ravel().tolist() == [-1, -0.5, 0, 0.5, 1]
    assert make_sequence("square", 6, period=4).ravel().tolist() == [1, 1, -1, -1, 1, 1]
    sine = make_sequence("sine", 5, period=4).ravel()
    np.testing.assert_allclose(sine, [0, 1, 0, -1, 0], atol=1e-12)


def test_columns_and_seed():
    two = make_sequence("sine", 8, 2, period=8)
    np.testing.assert_allclose(two[4:, 1], two[:-4, 0], atol=1e-12)  # delayed by period/D = 4
    step = make_sequence("step", 4, 3)
    assert step[-1].tolist() == [1, -1, 1]
    a, b = make_sequence("noise", 50, 2, seed=7), make_sequence("noise", 50, 2, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, make_sequence("noise", 50, 2, seed=8))
    assert a.shape == (50, 2)


def test_every_preset_has_the_asked_shape():
    for preset in PRESETS:  # real data has its own length: 104 weekly returns
        steps = WEEKS if preset == "stocks" else MAX_STEPS
        assert make_sequence(preset, MAX_STEPS, 4).shape == (steps, 4)


@pytest.mark.parametrize("steps,size", [(0, 1), (MAX_STEPS + 1, 1), (10, 0), (10, 5)])
def test_preset_limits(steps, size):
    with pytest.raises(InputError):
        make_sequence("sine", steps, size)


def test_typed_values():
    np.testing.assert_array_equal(parse_sequence_text("0.5, -1 2;3\n4").ravel(), [0.5, -1, 2, 3, 4])
    assert parse_sequence_text("−2").item() == -2.0  # typographic minus as copied from the app
    rows = parse_sequence_text("1, 2\n3 4; 5,6", 2)
    assert rows.tolist() == [[1, 2], [3, 4], [5, 6]]


@pytest.mark.parametrize("text,needle", [
    ("1, abc, 2", '"abc" (value 2) is not a number'),
    ("1, nan", '"nan" (value 2) is NaN'),
    ("inf 1", '"inf" (value 1) is infinite'),
    ("1e999", '"1e999" (value 1) is infinite'),
    ("", "no values"),
    (" , ; ", "no values"),
    (", ".join(["1"] * (MAX_STEPS + 1)), "501 values"),
])
def test_typed_errors_name_the_token(text, needle):
    with pytest.raises(InputError) as err:
        parse_sequence_text(text)
    assert needle in str(err.value)


def test_typed_rows_need_d_values():
    with pytest.raises(InputError, match="step 2 has 1 value; each step needs D = 2"):
        parse_sequence_text("1 2\n3", 2)
    with pytest.raises(InputError, match=r'"x" \(step 1, value 2\)'):
        parse_sequence_text("1 x", 2)


def test_csv_with_and_without_header():
    assert parse_sequence_csv(b"a,b\n1,2\n3,4\n").tolist() == [[1, 2], [3, 4]]
    assert parse_sequence_csv(b"1\n2\n\n3\n").ravel().tolist() == [1, 2, 3]
    assert parse_sequence_csv(b"\xef\xbb\xbfx;y\r\n1;2\r\n").tolist() == [[1, 2]]  # BOM, ; CRLF
    assert parse_sequence_csv(b"1\t2\n3\t4").tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("data,needle", [
    (b"", "empty"),
    (b"   \n \n", "empty"),
    (b"a,b\n", "header row but no rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"1,2\n3\n", "row 2 has 1 column but row 1 has 2"),
    (b"x,y\n1,2\n3,nan\n", "row 3, column 2 is NaN"),
    (b"1,2\n3,inf\n", "row 2, column 2 is infinite"),
    (b"1,2\n3,abc\n", '"abc" at row 2, column 2 is not a number'),
    (b"1,,2\n", "row 1, column 2 is empty"),
    (b"1,2,3,4,5\n", "5 columns"),
    ("\n".join(["1"] * (MAX_STEPS + 1)).encode(), "501 rows"),
    (b"1\n" * 600_000, "MB; at most 1 MB"),
])
def test_csv_errors(data, needle):
    with pytest.raises(InputError) as err:
        parse_sequence_csv(data)
    assert needle in str(err.value)
