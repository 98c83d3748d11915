from __future__ import annotations

import pytest

from pipeline.config import Config, ConfigError, load_config
from pipeline.resources import ResourceError, fold, load_resources


def test_config_file_overrides_defaults(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[pressfacts]\nbatch_size = 4\nmax_bytes = 1000\n", encoding="utf-8")
    cfg = load_config(p, batch_size=8)
    assert cfg.max_bytes == 1000 and cfg.batch_size == 8  # flags win over the file


@pytest.mark.parametrize("body", ["[pressfacts]\nbatch_sise = 4\n", "not toml ==", "[pressfacts]\nmax_bytes = 'big'\n"])
def test_config_rejects_typos_and_bad_values(tmp_path, body):
    p = tmp_path / "c.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(p)


def test_config_missing_file():
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/pressfacts.toml")


def test_resources_load_and_index():
    res = load_resources(Config().models_dir)
    assert res.org_by_key[fold("CCIMP")].name == "CCI Marseille Provence"
    assert res.org_by_key[fold("Marseille-Provence Chamber of Commerce")].name == "CCI Marseille Provence"
    assert res.country_by_word["belge"] == "Belgium"


def test_resources_bad_file_names_the_file(tmp_path):
    import shutil

    for f in Config().models_dir.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "roles.yaml").write_text("titles: [1, 2]\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="roles.yaml"):
        load_resources(tmp_path)


@pytest.mark.parametrize("a, b", [("la Métropole", "Metropole"), ("The CCIMP", "ccimp"), ("Côte d'Azur", "cote d azur")])
def test_resources_fold(a, b):
    assert fold(a) == fold(b)
