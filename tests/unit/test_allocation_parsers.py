"""File parsers of the facility location core (pure: no solver)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.facility.instances import (
    FacilityProblem,
    read_capopt,
    read_holmberg,
    read_holmberg_optima,
    read_orlib_cap,
)

CAP_TEXT = """ 2 3
 5 3.
 capacity 4.
 4 8. 12.
 2 2. 2.
 1 1.5
   3.
"""

HOLMBERG_TEXT = """2 3
5 3
7 4
   4.   2.   1.
   8.   2.   1.
  12.   2.   3.
"""


def test_cap_format_with_capacity_override(tmp_path):
    path = tmp_path / "capx.txt"
    path.write_text(CAP_TEXT)
    p = read_orlib_cap(path, capacity=9)
    assert p.name == "capx-9"
    np.testing.assert_array_equal(p.capacity, [9, 9])
    np.testing.assert_array_equal(p.fixed_cost, [3, 4])
    np.testing.assert_array_equal(p.demand, [4, 2, 1])
    # customer lines give d_j then c_1j..c_mj, wrapped over lines
    np.testing.assert_array_equal(p.cost, [[8, 2, 1.5], [12, 2, 3]])


def test_cap_word_capacity_needs_override(tmp_path):
    path = tmp_path / "capx.txt"
    path.write_text(CAP_TEXT)
    with pytest.raises(ValueError, match="give --capacity"):
        read_orlib_cap(path)


def test_holmberg_warehouse_major_and_nul_padding(tmp_path):
    path = tmp_path / "p0"
    path.write_bytes(HOLMBERG_TEXT.encode() + b"\x00" * 40)
    p = read_holmberg(path)
    np.testing.assert_array_equal(p.capacity, [5, 7])
    np.testing.assert_array_equal(p.demand, [4, 2, 1])
    np.testing.assert_array_equal(p.cost, [[8, 2, 1], [12, 2, 3]])


def test_truncated_file_is_named(tmp_path):
    path = tmp_path / "p9"
    path.write_text("2 3\n5 3\n7 4\n4 2 1\n8 2\n")
    with pytest.raises(ValueError, match="p9: not a Holmberg sscflp file"):
        read_holmberg(path)


def test_nan_cost_names_warehouse_and_customer():
    p = FacilityProblem(
        "bad",
        np.array([5.0, 5.0]),
        np.array([1.0, 1.0]),
        np.array([1.0, 2.0]),
        np.array([[1.0, np.nan], [1.0, 1.0]]),
    )
    with pytest.raises(ValueError, match="customer 1 from warehouse 0"):
        p.validate()


def test_published_optima_files(shared_data):
    # capopt.txt: split-demand optima (Beasley 1988, EJOR 33:314-325); os: Holmberg et al. 1999
    capopt = read_capopt(shared_data / "orlib" / "cap" / "capopt.txt")
    assert len(capopt) == 37
    assert capopt[("cap41", None)] == 1040444.375
    optima = read_holmberg_optima(shared_data / "orlib" / "sscflp_holmberg" / "os")
    assert len(optima) == 71
    assert optima["p1"] == 8848.0
