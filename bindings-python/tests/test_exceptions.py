"""Every core ErrorKind has its own exception class under optscan.OptscanError."""

import pytest

import optscan
from optscan import _native

KINDS = ["InvalidInput", "NotFound", "DataSource", "RateLimited", "Timeout", "Database",
         "Busy", "Cancelled", "Internal"]


def test_every_kind_has_a_class_under_the_root():
    table = dict(_native._error_classes())
    assert sorted(table) == sorted(KINDS)
    assert issubclass(optscan.OptscanError, Exception)
    for kind, cls in table.items():
        assert cls is getattr(optscan, f"{kind}Error")
        assert issubclass(cls, optscan.OptscanError)
    assert len(set(table.values())) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_core_errors_raise_their_class(kind):
    with pytest.raises(getattr(optscan, f"{kind}Error")) as info:
        _native._raise_kind(kind)
    assert kind in str(info.value)


def test_real_failures_map_to_their_kind():
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanConfig(max_results=0)
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanConfig(filter_mode="sideways")
    with pytest.raises(optscan.OptscanError):
        optscan.ScanStore.open("mysql://nowhere/db")
