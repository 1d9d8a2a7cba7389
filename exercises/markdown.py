"""Markdown with math for lessons and statements: LaTeX becomes MathML on the server (no
JavaScript needed to read a formula), and the HTML is sanitised so that authored text can
never carry script into a learner's page."""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded",
    "mphantom", "mfenced", "menclose", "mover", "munder", "munderover", "mtable", "mtr",
    "mtd", "mlabeledtr", "mmultiscripts", "mprescripts", "none",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
    "accent", "accentunder", "columnalign", "columnspacing", "rowspacing", "rowspan",
    "columnspan", "width", "height", "depth", "linethickness", "notation", "open", "close",
    "separators", "minsize", "maxsize", "movablelimits", "symmetric", "largeop", "form",
    "scriptlevel", "displaystyle", "encoding", "align", "rowalign", "columnlines", "rowlines",
    "frame", "class",
}  # fmt: skip


class MathError(ValueError):
    def __init__(self, formula: str, reason: str):
        super().__init__(f"cannot render the formula ${formula}$: {reason}")
        self.formula = formula


def render_math(latex: str, *, display: bool) -> str:
    try:
        return latex_to_mathml(latex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises a zoo of exception types for bad input
        raise MathError(latex.strip(), str(exc) or type(exc).__name__) from None


def _math_renderer(content: str, options: dict) -> str:
    return render_math(content, display=options.get("display_mode", False))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    return parser.use(dollarmath_plugin, renderer=_math_renderer, allow_labels=False, allow_digits=False)


def _sanitise(markup: str) -> str:
    tags = set(nh3.ALLOWED_TAGS) | MATHML_TAGS | {"div", "span", "table", "thead", "tbody", "tr", "th", "td", "pre", "code"}
    attributes = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag in MATHML_TAGS:
        attributes[tag] = attributes.get(tag, set()) | MATHML_ATTRIBUTES
    for tag in ("div", "span", "code", "pre", "td", "th"):
        attributes[tag] = attributes.get(tag, set()) | {"class"}
    return nh3.clean(markup, tags=tags, attributes=attributes, link_rel="noopener noreferrer nofollow")


def render_markdown(text: str) -> str:
    """Markdown with $inline$ and $$display$$ math to safe HTML; MathError on bad LaTeX."""
    return _sanitise(_parser().render(text))


def render_markdown_or_escape(text: str) -> str:
    """For previews of text still being typed: bad LaTeX is shown as an error, never raised."""
    try:
        return render_markdown(text)
    except MathError as exc:
        return f'<p class="error">{html.escape(str(exc))}</p>'
