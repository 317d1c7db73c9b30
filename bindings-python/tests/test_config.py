"""Config parity: every core ScanConfig setting (walked from the core's own field list) is
settable by keyword, by dict and by file, with the core's defaults and the core's errors;
the typed stub names every top-level setting."""

import json
import pathlib
import re

import pytest

import optscan

STUB = pathlib.Path(optscan.__file__).with_name("_native.pyi")


def snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def other_value(default):
    """A valid value different from the default."""
    if isinstance(default, bool):
        return not default
    if isinstance(default, str):
        return "relaxed" if default != "relaxed" else "both"
    if default is None:
        return 7
    if isinstance(default, int):
        return default + 1
    return round(default * 0.9, 6) if default else 0.01


def get(doc: dict, path: str):
    for part in path.split("."):
        doc = doc[part]
    return doc


def nested(path: str, value, case=snake) -> dict:
    parts = path.split(".")
    out: dict = {case(parts[-1]): value}
    for p in reversed(parts[:-1]):
        out = {case(p): out}
    return out


PATHS = optscan.ScanConfig.field_paths()


def test_the_core_lists_every_setting():
    assert len(PATHS) >= 30 and "maxResults" in PATHS and "gates.minScore" in PATHS


@pytest.mark.parametrize("path", PATHS)
def test_every_setting_is_settable_by_keyword_dict_and_file(path, tmp_path):
    defaults = optscan.ScanConfig().to_dict()
    value = other_value(get(defaults, path))
    by_kwargs = optscan.ScanConfig(**nested(path, value))
    assert get(by_kwargs.to_dict(), path) == value
    by_camel = optscan.ScanConfig.from_dict(nested(path, value, case=lambda s: s))
    assert by_camel == by_kwargs
    f = tmp_path / "scan.json"
    f.write_text(json.dumps(nested(path, value)))
    assert optscan.ScanConfig.from_file(f) == by_kwargs
    # Everything else keeps the core's default.
    others = [p for p in PATHS if p != path]
    assert all(get(by_kwargs.to_dict(), p) == get(defaults, p) for p in others)


def test_the_stub_names_every_top_level_setting():
    stub = STUB.read_text()
    block = stub[stub.index("class ScanConfig:") : stub.index("def from_dict")]
    missing = {snake(p.split(".")[0]) for p in PATHS} - set(re.findall(r"(\w+): Optional", block))
    assert not missing, f"ScanConfig stub misses {missing}"


def test_unknown_and_invalid_settings_are_the_cores_errors():
    with pytest.raises(optscan.InvalidInputError, match="did you mean `maxResults`"):
        optscan.ScanConfig(max_resuls=5)
    with pytest.raises(optscan.InvalidInputError, match="did you mean `minScore`"):
        optscan.ScanConfig(gates={"min_scor": 5})
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanConfig(max_results=0)
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanConfig(filter_mode="loose")
    with pytest.raises(TypeError):
        optscan.ScanConfig("strict")  # keyword-only


def test_toml_files_as_the_cli_reads_them(tmp_path):
    f = tmp_path / "scan.toml"
    f.write_text('filter_mode = "both"\nmax_results = 7\n[gates]\nmin_score = 55.0\n')
    c = optscan.ScanConfig.from_file(f)
    assert (c.filter_mode, c.max_results, c.to_dict()["gates"]["minScore"]) == ("both", 7, 55.0)
    f.write_text("max_results = [")
    with pytest.raises(optscan.InvalidInputError, match="not TOML"):
        optscan.ScanConfig.from_file(f)
    with pytest.raises(optscan.InvalidInputError, match="cannot read"):
        optscan.ScanConfig.from_file(tmp_path / "missing.toml")


def test_none_keeps_the_default_and_round_trips():
    c = optscan.ScanConfig(max_results=None, max_symbols=None)
    assert c == optscan.ScanConfig()
    assert optscan.ScanConfig.from_dict(json.loads(c.to_json())) == c
