"""The package carries its data: models/ is the package `pipeline.models`, found with
importlib.resources, and a missing or malformed data folder is one error at start-up.

The wheel itself is built, installed in a fresh environment and run on corpus/ by `.ci/run`
(too slow for the test suite: it installs spaCy and its models)."""

from __future__ import annotations

import importlib.resources
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import build, extract
from pipeline.cli import main
from pipeline.config import DEFAULT_MODELS_DIR, Config
from pipeline.resources import ResourceError, check_data

ROOT = Path(__file__).resolve().parent.parent


def test_package_every_subpackage_and_data_file_is_declared() -> None:
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")}
    assert set(setup["packages"]) == on_disk | {"pipeline.models"}
    assert setup["package-dir"] == {"pipeline.models": "models"}
    patterns = setup["package-data"]["pipeline.models"]
    data = [p for p in (ROOT / "models").iterdir() if p.is_file() and p.name != "__init__.py"]
    assert data and all(any(p.match(pat) for pat in patterns) for p in data)


def test_package_data_is_found_with_importlib_resources() -> None:
    found = importlib.resources.files("pipeline.models")
    assert Path(str(found)) == DEFAULT_MODELS_DIR == Config().models_dir
    assert (found / "gazetteer.yaml").is_file()
    check_data(DEFAULT_MODELS_DIR)  # the shipped data is complete and valid


@pytest.fixture
def broken_models(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    (models / "gazetteer.yaml").write_text("organizations: [\n", encoding="utf-8")
    return models


def _article(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("L'agence Exemplia a accompagné 12 entreprises en 2019 à Marseille.\n",
                                  encoding="utf-8")
    return corpus


@pytest.mark.parametrize("what", ["missing", "malformed"])
def test_package_a_bad_data_folder_stops_the_build_at_start_up(tmp_path: Path, broken_models: Path,
                                                               what: str) -> None:
    models = tmp_path / "nowhere" if what == "missing" else broken_models
    config = tmp_path / "settings.toml"
    config.write_text(f'[pressfacts]\nmodels_dir = "{models.as_posix()}"\n', encoding="utf-8")
    corpus, out = _article(tmp_path), tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "--config", str(config)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    expected = "data folder" if what == "missing" else "gazetteer.yaml: not valid YAML"
    assert expected in result.output and str(models) in result.output
    assert not (out / "documents.jsonl").exists()  # nothing was read, nothing written
    checked = CliRunner().invoke(main, ["check", str(corpus), "--against", str(tmp_path), "--config", str(config)])
    assert checked.exit_code == 2 and expected in checked.output


def test_package_a_bad_data_folder_is_one_error_from_the_library(tmp_path: Path, broken_models: Path) -> None:
    cfg = Config(models_dir=broken_models)
    with pytest.raises(ResourceError, match="gazetteer.yaml"):
        extract([_article(tmp_path)], cfg)  # raised at the call, before any document
    with pytest.raises(ResourceError, match="gazetteer.yaml"):
        build([tmp_path / "corpus"], tmp_path / "out", cfg)
    (broken_models / "gazetteer.yaml").unlink()
    with pytest.raises(ResourceError, match="missing data file"):
        check_data(broken_models)
