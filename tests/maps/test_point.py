"""A map dot's position (``crowdsafe.org.maps.point``): converted once, the same float as before (issue 19: the
leaders' risk map writes up to 500 dots per page)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from crowdsafe.org.maps import point


@given(
    st.one_of(
        st.decimals(min_value=-180, max_value=180, places=7, allow_nan=False),
        st.floats(min_value=-180, max_value=180, allow_nan=False),
    )
)
def test_a_dot_s_position_is_the_number_written_rounded_to_six_decimals(value):
    expected = round(float(Decimal(str(value))), 6)
    assert point(value, str(value), title="x") == {"lat": expected, "lng": expected, "title": "x"}
