"""The live playground of chapter 11: move the settings, train, and watch the network learn (or fail).

- ``engine``: Settings, the data sets, and Run, which trains with ``fit`` a chunk at a time;
- ``draw``: the panels as small SVG charts, palette PNGs and HTML tables (no matplotlib);
- ``presets``: settings that show one named phenomenon each;
- ``widget``: Playground, the ipywidgets box that trains in a background thread.

Only ``widget`` needs ipywidgets, and only ``Playground`` imports it.
"""
from .engine import DATASETS, Run, Settings, load_data
from .presets import PRESETS

try:
    from .widget import Playground
except ImportError as error:  # ipywidgets missing: the engine still works
    _missing = error

    def Playground(*args, **kwargs):
        raise ImportError(f"The playground needs ipywidgets ({_missing}): pip install ipywidgets.")

__all__ = ["DATASETS", "PRESETS", "Playground", "Run", "Settings", "load_data"]
