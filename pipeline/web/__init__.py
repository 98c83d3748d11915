"""The fact base in a browser: a Datasette plugin (`pipeline.web.plugin`) and its templates
(`pipeline/web/templates`), registered by `pressfacts serve`."""

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
