from exercises.markdown import render_markdown, render_math


def test_it_names_every_formula_by_its_tex():
    html = render_markdown("Inline $x^2 < y$ and\n\n$$\\frac{1}{2}$$\n")
    assert html.count('alttext="') == 2 and 'aria-label="x^2 &lt; y"' in html


def test_it_puts_display_math_tables_and_code_in_focusable_scroll_boxes():
    html = render_markdown("$$a+b$$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('<x>')\n```\n")
    assert '<div class="math block scroll-box" tabindex="0" role="group" aria-label="formula">' in html
    assert '<div class="table scroll-box" tabindex="0" role="group" aria-label="table"><table>' in html
    assert (
        '<pre class="code scroll-box" tabindex="0" role="group" aria-label="python code"><code class="language-python">'
        in html
    )
    assert "&lt;x&gt;" in html  # code stays escaped


def test_it_renders_a_matrix_with_a_power_as_one_group():
    mathml = render_math(r"\begin{bmatrix}1&2\\3&4\end{bmatrix}^{-1}", display=True)
    assert "<msup><mrow><mo>&#x0005B;</mo><mtable>" in mathml  # brackets and table are the base, not four children


def test_it_spaces_a_sign_after_a_bracket_as_a_sign():
    assert '<mo form="prefix">&#x02212;</mo><mn>3</mn>' in render_math("f(-3)", display=False)
    assert "<mo>&#x02212;</mo><mn>2</mn>" in render_math("x - 2", display=False)


def test_it_still_keeps_authors_html_out():
    html = render_markdown('<div tabindex="0" onclick="x()">hi</div> [a](javascript:alert(1))')
    assert "<div" not in html and "href" not in html and "&lt;div" in html
