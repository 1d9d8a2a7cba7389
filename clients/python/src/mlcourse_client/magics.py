"""The Jupyter extension: `%load_ext mlcourse`, then `%%submit SLUG` on a cell."""

from __future__ import annotations

from html import escape

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display

from . import feedback
from .api import ApiError, Client, NotLoggedIn


@magics_class
class CourseMagics(Magics):
    def __init__(self, shell):
        super().__init__(shell)
        self._kinds: dict[str, str] = {}

    @cell_magic
    def submit(self, line: str, cell: str):
        """%%submit SLUG: run the cell (code exercises), submit it, and show the verdict."""
        slug = line.strip()
        if not slug:
            print("Usage: %%submit SLUG (the exercise's name, as in `mlcourse get SLUG`)")
            return
        try:
            client = Client.from_config()
            if slug not in self._kinds:
                self._kinds[slug] = client.exercise(slug)["kind"]
            if self._kinds[slug] == "code":
                # Defined here too, to try out; an error is shown and the answer still goes to the grader.
                self.shell.run_cell(cell, store_history=False)
            submission = client.submit(slug, cell)
        except (ApiError, NotLoggedIn) as exc:
            display(
                {
                    "text/plain": f"mlcourse: {exc}",
                    "text/html": f"<p style='color:#b42318'>mlcourse: {escape(str(exc))}</p>",
                },
                raw=True,
            )
            return
        display(feedback.bundle(submission), raw=True)


def load_ipython_extension(ipython) -> None:
    ipython.register_magics(CourseMagics)


def unload_ipython_extension(ipython) -> None:
    pass
