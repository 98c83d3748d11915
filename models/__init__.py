"""The pipeline's domain knowledge, as data: the YAML files of this folder.

This folder is the package `pipeline.models` (see `package-dir` in pyproject.toml), so that a
wheel or `pip install .` carries the files; the pipeline finds them with importlib.resources.
There is no code here.
"""
