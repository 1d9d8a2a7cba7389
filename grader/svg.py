"""Pictures drawn on the trusted side: a matplotlib figure becomes a small, labelled SVG
fragment that can be inlined into a page.

Used for the lessons' figures (course code, at load time), the plots in code feedback (from
values the sandbox returned) and the instructors' charts. Nothing here runs learners' code.

Inline rather than files: a lesson's HTML is stored in the database at load time, so an
inline figure is served wherever the lesson is, with no static file to collect or cache to
keep in step (whitenoise serves only what existed at build time); its text stays text
(`svg.fonttype: none`), so it scales, is searchable and costs a few KB.

The output of `render` is passed through `sanitise`: nh3 with an allowlist of SVG elements
and presentation attributes only, `href` only to an element of the same picture or to an
embedded PNG. Element ids are prefixed with a digest of the picture, so that several
pictures on one page cannot take each other's clip paths or markers.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import threading
from contextlib import contextmanager

import nh3

# Matplotlib's look for every picture: small text, no chart junk, text kept as text.
STYLE = {
    "svg.fonttype": "none",  # text as <text>, not glyph outlines: a third of the size, and selectable
    "svg.hashsalt": "mlcourse",  # deterministic ids: the same figure renders to the same bytes
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "lines.linewidth": 1.8,
    "image.interpolation": "nearest",
    "figure.dpi": 100,
    "savefig.dpi": 100,  # embedded raster images (imshow) at this resolution
    "path.simplify": True,
}

# What a picture may contain after sanitising: SVG shapes, text and clipping, nothing active.
SVG_TAGS = {
    "svg", "g", "defs", "clipPath", "path", "rect", "circle", "ellipse", "line", "polyline",
    "polygon", "text", "tspan", "use", "image", "title", "desc", "linearGradient", "stop",
}  # fmt: skip
SVG_ATTRIBUTES = {
    "id", "class", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width",
    "height", "points", "transform", "style", "clip-path", "viewBox", "preserveAspectRatio",
    "xmlns", "version", "href", "xlink:href", "fill", "stroke", "stroke-width", "opacity",
    "offset", "stop-color", "gradientUnits", "font-size", "text-anchor", "dominant-baseline",
    "role", "aria-labelledby", "aria-describedby", "aria-hidden", "focusable",
}  # fmt: skip
STYLE_PROPERTIES = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "font", "font-family", "font-size", "font-style",
    "font-weight", "text-anchor", "dominant-baseline", "white-space", "clip-path", "stop-color",
    "stop-opacity",
}  # fmt: skip
PNG_DATA = "data:image/png;base64,"


class PictureError(ValueError):
    """A figure that cannot become a picture: it drew nothing, or it is far too large."""


_drawing = threading.Lock()


@contextmanager
def style():
    """Matplotlib's settings for one drawing. Its settings are process-wide, so drawings take
    turns (a lock); every figure is a `Figure` of its own, never pyplot's global registry."""
    import matplotlib

    matplotlib.use("Agg")  # no display, ever; the SVG backend draws through savefig
    with _drawing, matplotlib.rc_context(STYLE):
        yield


def new_figure(width: float = 6.0, height: float = 3.4, *, layout: str | None = "constrained"):
    """A figure of its own (pyplot's global registry is never used: nothing leaks between
    requests). The constrained layout fits labels and legends by itself at about half the
    drawing time; pictures drawn on request pass layout=None and fixed margins instead."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout=layout)


def render(figure, *, title: str, desc: str = "", max_bytes: int = 400_000) -> str:
    """The figure as a sanitised, labelled SVG fragment (call inside `style()`).

    `title` is the picture's accessible name and `desc` its longer text alternative; both are
    plain text. PictureError if the figure drew nothing or its SVG exceeds `max_bytes`."""
    if not figure.axes and not figure.artists and not figure.images and not figure.texts:
        raise PictureError("the figure is empty: the function drew nothing on it")
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = compact(buffer.getvalue())
    svg = label(svg, title=title, desc=desc)
    svg = sanitise(svg)
    if len(svg.encode()) > max_bytes:
        raise PictureError(
            f"the picture is {len(svg.encode()) // 1000} KB, more than {max_bytes // 1000} KB: draw fewer points"
        )
    return svg


_NUMBER = re.compile(r"(-?\d+\.\d)\d+")  # a tenth of a point is finer than any screen shows
_GEOMETRY_ATTRIBUTE = re.compile(r'\b(d|points|transform|x|y|width|height|x1|x2|y1|y2|cx|cy|r)="([^"]*)"')


def _shorten(match: re.Match) -> str:
    value = " ".join(_NUMBER.sub(r"\1", match[2]).split())
    return f'{match[1]}="{value}"'


def compact(svg: str) -> str:
    """Matplotlib's SVG without what a page does not need: the XML prologue, metadata, its
    stylesheet (only default line joins), ids nothing refers to, six-decimal coordinates,
    and whitespace between elements. Referenced ids get a prefix unique to the picture."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = _GEOMETRY_ATTRIBUTE.sub(_shorten, svg)
    svg = re.sub(r">\s+<", "><", svg)
    svg = re.sub(r"<defs></defs>", "", svg)
    referenced = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
    prefix = "f" + hashlib.sha256(svg.encode()).hexdigest()[:8]

    def _id(match: re.Match) -> str:
        return f' id="{prefix}-{match[1]}"' if match[1] in referenced else ""

    svg = re.sub(r'\sid="([^"]*)"', _id, svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m[1]}"', svg)
    return svg


def label(svg: str, *, title: str, desc: str = "") -> str:
    """Give the picture its text alternative: role="img", a <title> (its accessible name) and
    a <desc>; and let CSS size it (the viewBox keeps its proportions)."""
    prefix = "l" + hashlib.sha256((svg + title + desc).encode()).hexdigest()[:8]
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    described = f' aria-describedby="{prefix}-desc"' if desc else ""
    head = head.replace("<svg", f'<svg role="img" aria-labelledby="{prefix}-title"{described}', 1)
    parts = [head, f'<title id="{prefix}-title">{html.escape(title)}</title>']
    if desc:
        parts.append(f'<desc id="{prefix}-desc">{html.escape(desc)}</desc>')
    return "".join(parts) + svg[head_end:]


def _allow_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "xlink:href"):
        if tag == "use" and value.startswith("#"):
            return value
        if tag == "image" and value.startswith(PNG_DATA):
            return value
        return None
    return value


def sanitise(svg: str) -> str:
    """Only SVG drawing elements and presentation attributes survive; no script, no event
    handler, no link out (nh3, the same sanitiser as the lessons' HTML)."""
    return nh3.clean(
        svg,
        tags=SVG_TAGS,
        attributes={tag: SVG_ATTRIBUTES for tag in SVG_TAGS},
        filter_style_properties=STYLE_PROPERTIES,
        attribute_filter=_allow_attribute,
        url_schemes={"data"},
        link_rel=None,
        strip_comments=True,
    )
