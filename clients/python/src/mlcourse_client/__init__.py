"""The learner's client of Mathematics for Machine Learning: its REST API from Python, a
command line (`mlcourse`), and a Jupyter extension (`%load_ext mlcourse`, `%%submit SLUG`)."""

from .api import ApiError, Client, NotLoggedIn

__version__ = "0.1.0"
__all__ = ["ApiError", "Client", "NotLoggedIn"]
