"""`%load_ext mlcourse`: the Jupyter extension of the mlcourse client (mlcourse_client)."""

from mlcourse_client.magics import load_ipython_extension, unload_ipython_extension

__all__ = ["load_ipython_extension", "unload_ipython_extension"]
