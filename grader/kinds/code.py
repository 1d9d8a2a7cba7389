"""Code answers: a Python function run on generated cases in the sandbox, compared with the
reference's outputs."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from .. import plots
from ..compare import COMPARATORS, CompareSpecError, check_compare_options
from .base import AnswerKind, ContentError, Fields, Group, Spec, is_number_tree
from .symbolic import SLUG, matrix_declaration
from .text import dump_yaml, lf, yaml_field

LIMITS = {"cpu_seconds", "wall_seconds", "memory_mb"}


@dataclass
class CodeSpec(Spec):
    entry_point: str
    starter: str
    reference: str
    cases: str
    compare: dict | list = field(default_factory=lambda: {"method": "allclose"})
    limits: dict = field(default_factory=dict)
    mutants: list[dict] = field(default_factory=list)
    plot: str | dict | None = None
    gradient: dict | None = None
    contract: dict | None = None


class CodeKind(AnswerKind):
    name = "code"
    label = "Code"
    spec_class = CodeSpec
    spec_fields = (
        "entry_point",
        "starter",
        "reference",
        "cases",
        "compare",
        "mutants",
        "limits",
        "gradient",
        "plot",
        "contract",
    )
    prepares_cases = True
    uses_editor = True
    answer_template = "exercises/answers/code.html"
    answer_format = "Python source defining the function (the whole cell or file)."

    def read(self, fields: Fields) -> CodeSpec:
        spec = CodeSpec(
            entry_point=fields.get("entry_point", str),
            starter=fields.get("starter", str),
            reference=fields.get("reference", str),
            cases=fields.get("cases", str),
            compare=fields.get("compare", (dict, list), {"method": "allclose"}),
            limits=fields.get("limits", dict, {}),
            mutants=fields.get("mutants", list, []),
        )
        path = fields.path
        if not spec.entry_point.isidentifier():
            raise ContentError(path, "entry_point", "field 'entry_point' must be a Python function name")
        for name in ("starter", "reference", "cases"):
            try:
                compile(getattr(spec, name), f"{path}:{name}", "exec")  # a syntax check only; nothing runs here
            except SyntaxError as exc:
                raise ContentError(
                    path, name, f"field '{name}': Python syntax error on line {exc.lineno}: {exc.msg}"
                ) from None
        compare_specs = spec.compare if isinstance(spec.compare, list) else [spec.compare]
        for compare_spec in compare_specs:
            if not isinstance(compare_spec, dict) or compare_spec.get("method", "allclose") not in COMPARATORS:
                method = compare_spec.get("method") if isinstance(compare_spec, dict) else compare_spec
                raise ContentError(
                    path,
                    "compare",
                    f"field 'compare': unknown method {method!r}; known: {', '.join(sorted(COMPARATORS))}",
                )
        for limit, value in spec.limits.items():
            if limit not in LIMITS or not isinstance(value, int | float) or value <= 0:
                raise ContentError(path, "limits", f"field 'limits': {limit}={value!r} is not a known positive limit")
        for index, mutant in enumerate(spec.mutants):
            if not (isinstance(mutant, dict) and isinstance(mutant.get("code"), str)):
                raise ContentError(
                    path, f"mutants[{index + 1}]", f"field 'mutants': entry {index + 1} needs 'name' and 'code'"
                )
            mutant.setdefault("name", f"mutant {index + 1}")
        if fields.data.get("plot") is not None:  # only when given: an exercise without it keeps its digest
            spec.plot = fields.get("plot", (str, dict))
            try:
                plots.check(spec.as_dict())
            except plots.PlotSpecError as exc:
                raise ContentError(path, "plot", f"field 'plot': {exc}") from None
        gradient = fields.get("gradient", dict, None)
        if gradient is not None:
            spec.gradient = gradient_spec(path, gradient)
        contract = fields.get("contract", dict, None)
        if contract is not None:  # only when given, like `plot`: other exercises keep their digest
            spec.contract = contract_spec(path, contract, spec.compare)
        for index, compare_spec in enumerate(compare_specs):
            try:
                check_compare_options(compare_spec)  # options only some methods understand, before any case runs
            except CompareSpecError as exc:
                raise ContentError(path, "compare", f"field 'compare': {exc}") from None
            partner = compare_spec.get("same_signs_as")
            if partner is not None and not (
                isinstance(spec.compare, list)
                and partner <= len(compare_specs)
                and partner != index + 1
                and compare_specs[partner - 1].get("method") == compare_spec.get("method")
            ):
                message = f"same_signs_as {partner} must name another value of the tuple, compared with {compare_spec.get('method')}"
                raise ContentError(path, "compare", f"field 'compare': {message}")
        return spec

    def grade(self, spec: dict, answer: str, *, cases=None, context: dict | None = None):
        from ..engine import grade_code

        return grade_code(spec, answer, cases or [], context)

    def validation_answers(self, spec: dict, context: dict | None = None) -> list[tuple[str, bool, str]]:
        answers = [("reference", True, spec["reference"]), ("starter", False, spec["starter"])]
        return answers + [(f"mutant: {m['name']}", False, m["code"]) for m in spec.get("mutants", [])]

    def answer_field(self, spec: dict, initial: str = "", choice_order=None, inline=str):
        from django import forms
        from django_ace import AceWidget

        widget = AceWidget(
            mode="python", theme="chrome", width="100%", height="320px", tabsize=4, showprintmargin=False, toolbar=False
        )
        return forms.CharField(
            widget=widget, initial=initial, strip=False, error_messages={"required": "The answer is empty."}
        )

    def public_fields(self, spec: dict, html) -> dict:
        entry_point = spec.get("entry_point", "")
        starter = spec.get("starter", "")
        return {"entry_point": entry_point, "starter": starter, "signature": signature_of(starter, entry_point)}

    def starter(self, spec: dict) -> str:
        return spec.get("starter", "")

    def keeps_last_answer(self) -> bool:
        return True

    # --- authoring -------------------------------------------------------------------------

    def authoring_fields(self) -> dict:
        from django import forms

        from .forms import ace, tolerance_fields, yaml_area

        return {
            "entry_point": forms.CharField(
                required=False, max_length=100, help_text="The function the learner writes."
            ),
            "starter": forms.CharField(required=False, widget=ace("200px"), strip=False),
            "reference": forms.CharField(required=False, widget=ace(), strip=False),
            "cases": forms.CharField(
                required=False,
                widget=ace(),
                strip=False,
                label="Input generator",
                help_text="Defines cases(rng), yielding dicts with name, args, optional kwargs and hidden.",
            ),
            "compare_method": forms.ChoiceField(
                required=False,
                choices=[(name, name) for name in sorted(COMPARATORS)],
                initial="allclose",
                label="Comparator",
            ),
            "compare_yaml": forms.CharField(
                required=False,
                widget=yaml_area(4),
                label="Comparator as YAML",
                help_text="Optional; replaces the comparator and tolerances, e.g. a list with one entry per element of a returned tuple, or options such as axis or system.",
            ),
            "gradient": forms.CharField(
                required=False,
                widget=yaml_area(8),
                label="Gradient check (YAML)",
                help_text="Optional, for code returning a gradient: arguments, wrt, loss (Python defining loss), and optionally output, derivation, matrices, scalars.",
            ),
            "contract": forms.CharField(
                required=False,
                widget=yaml_area(3),
                label="Contract (YAML)",
                help_text="Optional, what the statement requires beyond the values: dtype (integer, bool, float), inputs_unchanged: true, fp_errors: [overflow, invalid, divide].",
            ),
            "plot": forms.CharField(
                required=False,
                widget=yaml_area(3),
                label="Feedback plot (YAML)",
                help_text="Optional: auto (the default), none, curve, values, heatmap, or for an optimiser a mapping such as {kind: path, loss: quadratic, A: A, b: b}.",
            ),
            # Above the platform's caps a limit is lowered to the cap; these bounds only keep numbers sane.
            "cpu_seconds": forms.IntegerField(required=False, min_value=1, max_value=3600, label="CPU seconds"),
            "memory_mb": forms.IntegerField(required=False, min_value=64, max_value=1_048_576, label="Memory (MB)"),
            **tolerance_fields(),
        }

    def authoring_rows(self) -> dict:
        from .forms import MutantRow

        return {"mutants": MutantRow}

    def authoring_groups(self) -> list[Group]:
        code = [
            "entry_point",
            "starter",
            "reference",
            "cases",
            "compare_method",
            "compare_yaml",
            "gradient",
            "contract",
            "plot",
            "cpu_seconds",
            "memory_mb",
        ]
        return [Group("Code", code, ["mutants"]), Group("Tolerances", ["rtol", "atol"], [])]

    def authoring_initial(self, data: dict) -> dict:
        compare = data.get("compare") or {"method": "allclose"}
        initial = {name: data.get(name) for name in ("entry_point", "starter", "reference", "cases")}
        if isinstance(compare, dict) and set(compare) <= {"method", "rtol", "atol"}:
            initial.update(
                compare_method=compare.get("method", "allclose"), rtol=compare.get("rtol"), atol=compare.get("atol")
            )
        else:
            initial["compare_yaml"] = dump_yaml(compare)
        initial["mutants"] = [{"name": m.get("name", ""), "code": m.get("code", "")} for m in data.get("mutants") or []]
        initial["plot"] = dump_yaml(data["plot"]) if data.get("plot") is not None else ""
        initial["gradient"] = dump_yaml(data["gradient"]) if data.get("gradient") else ""
        initial["contract"] = dump_yaml(data["contract"]) if data.get("contract") else ""
        initial.update((data.get("limits") or {}).items())
        return initial

    def authoring_file_data(self, values: dict, rows: dict, error) -> dict:
        compare = yaml_field(values, "compare_yaml", error)
        if compare is None:
            compare = {"method": values.get("compare_method") or "allclose"}
            compare.update({name: values[name] for name in ("rtol", "atol") if values.get(name) is not None})
        data = {
            "entry_point": values.get("entry_point"),
            "starter": lf(values.get("starter")),
            "reference": lf(values.get("reference")),
            "cases": lf(values.get("cases")),
            "compare": compare,
            "mutants": [
                {"name": row.get("name") or f"mutant {i + 1}", "code": lf(row.get("code") or "")}
                for i, row in enumerate(rows.get("mutants", []))
            ],
            "limits": {name: values[name] for name in ("cpu_seconds", "memory_mb") if values.get(name)},
            "plot": yaml_field(values, "plot", error),
            "gradient": yaml_field(values, "gradient", error),
            "contract": yaml_field(values, "contract", error),
        }
        return data

    def authoring_field_for(self, error: ContentError) -> str | None:
        top = error.top_field
        return {"compare": "compare_method", "limits": "cpu_seconds"}.get(top) or super().authoring_field_for(error)


CONTRACT_KEYS = ("dtype", "inputs_unchanged", "fp_errors")
DTYPE_NAMES = ("integer", "bool", "float")
FP_ERROR_NAMES = ("overflow", "invalid", "divide", "underflow")


def contract_spec(path, contract: dict, compare_spec) -> dict:
    """What the statement requires beyond the values: the result's dtype kind, inputs left
    unchanged, and which floating-point errors inside the learner's code fail a case."""

    def fail(message: str) -> ContentError:
        return ContentError(path, "contract", f"field 'contract': {message}")

    unknown = sorted(set(contract) - set(CONTRACT_KEYS))
    if unknown:
        raise fail(f"unknown key(s) {unknown}; known: {', '.join(CONTRACT_KEYS)}")
    dtype = contract.get("dtype")
    if dtype is not None:
        names = dtype if isinstance(dtype, list) else [dtype]
        if isinstance(dtype, list) and not dtype:
            raise fail("dtype as a list needs one entry per item of the result")
        for name in names:
            if name is not None and name not in DTYPE_NAMES:
                raise fail(f"dtype {name!r} is not one of {', '.join(DTYPE_NAMES)} (or null in a list)")
        if isinstance(dtype, list) and isinstance(compare_spec, list) and len(dtype) != len(compare_spec):
            raise fail(f"dtype lists {len(dtype)} kinds but 'compare' has {len(compare_spec)} items")
    if not isinstance(contract.get("inputs_unchanged", False), bool):
        raise fail("inputs_unchanged must be true or false")
    errors = contract.get("fp_errors", [])
    if not isinstance(errors, list) or any(error not in FP_ERROR_NAMES for error in errors):
        raise fail(f"fp_errors must be a list of {', '.join(FP_ERROR_NAMES)}")
    return {key: contract[key] for key in CONTRACT_KEYS if key in contract}


def gradient_spec(path, gradient: dict) -> dict:
    """A code exercise's `gradient` block: the loss its gradient is checked against by central
    differences, and optionally the symbolic exercise deriving the same gradient."""
    where = "field 'gradient'"

    def fail(message: str, field: str = "gradient") -> ContentError:
        return ContentError(path, field, message)

    arguments = gradient.get("arguments")
    if not (
        isinstance(arguments, list) and arguments and all(isinstance(a, str) and a.isidentifier() for a in arguments)
    ):
        raise fail(f"{where}: 'arguments' must list the entry point's argument names in order")
    if gradient.get("wrt") not in arguments:
        raise fail(f"{where}: 'wrt' must be one of the arguments ({', '.join(arguments)})")
    loss = gradient.get("loss")
    if not isinstance(loss, str) or "def loss" not in loss:
        raise fail(f"{where}: 'loss' must be Python source defining loss(...) with the entry point's arguments")
    try:
        compile(loss, f"{path}:gradient.loss", "exec")  # a syntax check only; nothing runs here
    except SyntaxError as exc:
        raise fail(f"{where}.loss: Python syntax error on line {exc.lineno}: {exc.msg}", "gradient.loss") from None
    output = gradient.get("output")
    if output is not None and (not isinstance(output, int) or isinstance(output, bool) or output < 0):
        raise fail(f"{where}: 'output' must be the index of the gradient in the returned tuple")
    if gradient.get("step") is not None and not (is_number_tree(gradient["step"]) and 0 < gradient["step"] < 1):
        raise fail(f"{where}: 'step' must be a small positive number")
    derivation = gradient.get("derivation")
    if derivation is not None:
        if not (isinstance(derivation, str) and SLUG.match(derivation)):
            raise fail(f"{where}: 'derivation' must be the slug of a symbolic exercise")
        matrix_declaration(path, gradient, where, "gradient")
        missing = [name for name in gradient["matrices"] if name not in arguments]
        if missing or gradient["wrt"] not in gradient["matrices"]:
            raise fail(
                f"{where}: 'matrices' must declare the variable and name only arguments (not {', '.join(missing)})"
            )
    return gradient


def signature_of(starter: str, entry_point: str) -> str | None:
    """`name(args)` from the starter's definition; the starter is parsed, never run."""
    try:
        tree = ast.parse(starter or "")
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            return f"{node.name}({ast.unparse(node.args)})"
    return None


def shape_of(declared) -> Any:
    return declared.get("shape") if isinstance(declared, dict) else declared
