"""Markdown with math for lessons and statements: LaTeX becomes MathML on the server (no
JavaScript needed to read a formula), and the HTML is sanitised so that authored text can
never carry script into a learner's page."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
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


# A matrix environment followed by ^ or _ must be one group, or latex2mathml makes its brackets
# and table separate children of <msup> and the whole matrix renders as a tiny superscript.
MATRIX = re.compile(r"\\begin\{([pbBvV]?matrix)\}.*?\\end\{\1\}", re.S)


def render_math(latex: str, *, display: bool) -> str:
    """MathML for a formula, named by its TeX source (`alttext`, and `aria-label` because
    browsers compute a formula's accessible name from that, not from `alttext`)."""
    source = " ".join(latex.split())
    grouped = MATRIX.sub(lambda match: "{" + match.group(0) + "}", latex)
    try:
        mathml = latex_to_mathml(grouped, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises a zoo of exception types for bad input
        raise MathError(latex.strip(), str(exc) or type(exc).__name__) from None
    name = html.escape(source, quote=True)
    mathml = SIGN_AFTER_OPERATOR.sub(_prefix_sign, mathml)
    return mathml.replace("<math ", f'<math alttext="{name}" aria-label="{name}" ', 1)


# A minus or plus right after an operator or an opening bracket is a sign, not a binary
# operator: latex2mathml leaves it in the middle of a row, where it gets binary spacing
# ("f( − 3)"), so it is marked as prefix.
SIGN_AFTER_OPERATOR = re.compile(r"(<mo(?: [^>]*)?>([^<]*)</mo>)<mo>(&#x02212;|&#x0002B;|−|\+)</mo>")
CLOSING = {")", "]", "}", "|", "&#x00029;", "&#x0005D;", "&#x0007D;", "&#x0007C;", "&#x02016;"}


def _prefix_sign(match: re.Match) -> str:
    if match.group(2) in CLOSING:
        return match.group(0)
    return f'{match.group(1)}<mo form="prefix">{match.group(3)}</mo>'


def _math_renderer(content: str, options: dict) -> str:
    return render_math(content, display=options.get("display_mode", False))


# Wide content scrolls sideways inside its own box instead of widening the page on a phone. A
# box that scrolls must be reachable by keyboard (WCAG 2.1.1; axe's scrollable-region-focusable):
# each gets tabindex=0 here, and static/js/site.js takes it away again from the boxes that turn
# out not to overflow, so that the tab order is not cluttered with every formula.
SCROLL_BOX = 'class="{kind} scroll-box" tabindex="0" role="group" aria-label="{label}"'


def _display_math(self, tokens, idx, options, env) -> str:
    content = _math_renderer(str(tokens[idx].content).strip(), {"display_mode": True})
    return f"<div {SCROLL_BOX.format(kind='math block', label='formula')}>\n{content}\n</div>\n"


def _code_block(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    language = html.escape(token.info.strip().split(" ")[0]) if token.info.strip() else ""
    code_class = f' class="language-{language}"' if language else ""
    label = f"{language} code" if language else "code"
    return f"<pre {SCROLL_BOX.format(kind='code', label=label)}><code{code_class}>{html.escape(token.content)}</code></pre>\n"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    parser = parser.use(dollarmath_plugin, renderer=_math_renderer, allow_labels=False, allow_digits=False)
    parser.add_render_rule("math_block", _display_math)
    parser.add_render_rule("math_inline_double", _display_math)
    parser.add_render_rule("fence", _code_block)
    parser.add_render_rule("code_block", _code_block)
    parser.add_render_rule(
        "table_open",
        lambda self, tokens, idx, options, env: f"<div {SCROLL_BOX.format(kind='table', label='table')}><table>\n",
    )
    parser.add_render_rule("table_close", lambda self, tokens, idx, options, env: "</table></div>\n")
    return parser


def _sanitise(markup: str) -> str:
    tags = (
        set(nh3.ALLOWED_TAGS)
        | MATHML_TAGS
        | {"div", "span", "table", "thead", "tbody", "tr", "th", "td", "pre", "code"}
    )
    attributes = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag in MATHML_TAGS:
        attributes[tag] = attributes.get(tag, set()) | MATHML_ATTRIBUTES
    attributes["math"] |= {"alttext", "aria-label"}
    for tag in ("div", "span", "code", "pre", "td", "th"):
        attributes[tag] = attributes.get(tag, set()) | {"class"}
    for tag in ("div", "pre"):
        attributes[tag] |= {"tabindex", "role", "aria-label"}
    return nh3.clean(markup, tags=tags, attributes=attributes, link_rel="noopener noreferrer nofollow")


class FigureError(ValueError):
    """A ```figure block that does not say what to draw, or says it wrongly."""


FIGURE_FIELDS = {"function", "caption", "alt"}

# Draws a figure: (function name, text alternative) -> a sanitised, labelled SVG fragment.
FigureDrawer = Callable[[str, str], str]


def read_figure(body: str, number: int) -> dict:
    """The fields of the `number`-th ```figure block (docs/content-format.md), checked.

    Each field is a `name: text` line, and a long text may go on over indented lines. The text
    is taken as written (not YAML): captions are full of colons, dollars and backslashes."""
    fields: dict[str, str] = {}
    name = None
    for line in body.splitlines():
        if not line.strip():
            continue
        if line[:1].isspace() and name:
            fields[name] += " " + line.strip()
            continue
        name, colon, text = line.partition(":")
        name = name.strip()
        if not colon or not name.isidentifier():
            raise FigureError(f"figure {number}: write each field as 'name: text', not {line.strip()[:40]!r}")
        if name in fields:
            raise FigureError(f"figure {number}: '{name}' is given twice")
        fields[name] = text.strip()
    unknown = set(fields) - FIGURE_FIELDS
    if unknown:
        raise FigureError(f"figure {number}: unknown field(s) {', '.join(sorted(unknown))}")
    for field_name in sorted(FIGURE_FIELDS):
        if not fields.get(field_name, "").strip():
            raise FigureError(f"figure {number}: missing '{field_name}' (a line of text)")
    if not fields["function"].isidentifier():
        raise FigureError(f"figure {number}: 'function' must be the name of a function in figures.py")
    return {field_name: " ".join(fields[field_name].split()) for field_name in FIGURE_FIELDS}


def _figure_html(fields: dict, svg: str) -> str:
    caption = _sanitise(_parser().renderInline(fields["caption"]))
    return f'<figure class="lesson-figure">{svg}<figcaption>{caption}</figcaption></figure>'


def render_markdown(text: str, *, figures: FigureDrawer | None = None) -> str:
    """Markdown with $inline$ and $$display$$ math to safe HTML; MathError on bad LaTeX.

    With `figures` (lessons only), a ```figure block becomes a <figure>: the drawer makes its
    SVG, sanitised on its own with an SVG-only allowlist, and the caption is Markdown with
    math. The rest of the page is sanitised as usual first, with a placeholder in each
    figure's place that the page's own text cannot forge (a fresh random token per call).
    Without `figures` the block is shown as code, like any other fenced block."""
    parser = _parser()
    tokens = parser.parse(text)
    if figures is None:
        return _sanitise(parser.renderer.render(tokens, parser.options, {}))
    token = secrets.token_hex(8)
    placed = {}
    for index, item in enumerate(tokens):
        if item.type == "fence" and item.info.strip() == "figure":
            fields = read_figure(item.content, len(placed) + 1)
            slot = f"figure-{token}-{len(placed)}"
            placed[slot] = _figure_html(fields, figures(fields["function"], fields["alt"]))
            item.type, item.tag, item.content = "html_block", "", f"<p>{slot}</p>\n"
            tokens[index] = item
    page = _sanitise(parser.renderer.render(tokens, parser.options, {}))
    for slot, figure in placed.items():
        page = page.replace(f"<p>{slot}</p>", figure, 1)
    return page


def render_markdown_or_escape(text: str) -> str:
    """For previews of text still being typed: bad LaTeX is shown as an error, never raised."""
    try:
        return render_markdown(text)
    except MathError as exc:
        return f'<p class="error">{html.escape(str(exc))}</p>'
