"""Trackpoint times converted all at once read as parse_time reads each one, for the
zones real trackers write: Z, +00:00 and a local offset."""

from __future__ import annotations

import re

import numpy as np
import pytest

from activities.parsers import gpx
from activities.parsers.base import parse_time

from .test_parsers import read


@pytest.mark.parametrize(
    "name", ["placemark-togeojson__tour_hr.tcx", "tcxreader__mapmyride_biking.tcx"]
)
def test_times_with_an_offset_in_a_real_file_read_as_each_one_alone(name):
    texts = [m.decode() for m in re.findall(rb"<Time>([^<]*)</Time>", read(name))]
    assert texts and texts[0][-6] in "+-"
    expected = np.array([parse_time(text) for text in texts])
    np.testing.assert_array_equal(gpx._epochs(texts), expected)
    np.testing.assert_array_equal(gpx._epochs([t.encode() for t in texts]), expected)


def test_negative_and_odd_offsets_read_as_parse_time_reads_them():
    texts = ["2024-03-10T06:00:00.123456-05:30", "2024-02-29T23:59:59.999999+13:45"]
    np.testing.assert_array_equal(gpx._epochs(texts), [parse_time(t) for t in texts])


def test_an_impossible_offset_is_no_time():
    assert np.isnan(gpx._epochs(["2024-03-10T06:00:00.000+25:00"])).all()
