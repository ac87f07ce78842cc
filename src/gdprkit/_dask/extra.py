"""The optional dependencies of ``gdprkit.dask``: imported when first used, called typed.

Dask, pandas, NumPy and PyArrow are the ``dask`` extra, not core
dependencies: ``import gdprkit.dask`` works without them, and the first
function that needs one imports it here or says how to install it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["map_partitions", "require"]

_INSTALL: Final = "pip install 'gdprkit[dask]'"


def require(name: str) -> Any:
    """Import an optional dependency of the ``dask`` extra, or say how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.partition(".")[0]
        raise ImportError(
            f"gdprkit.dask needs {top}, which is not installed: {_INSTALL}", name=top
        ) from exc


def map_partitions(
    ddf: dd.DataFrame, task: Callable[..., Any], *args: object, meta: Any
) -> dd.DataFrame:
    """``ddf.map_partitions(task, *args, meta=meta)``: a lazy frame of ``task`` per partition.

    Dask leaves the method unannotated; this is the one place that says what
    it returns.
    """
    frame: Any = ddf
    result: dd.DataFrame = frame.map_partitions(task, *args, meta=meta)
    return result
