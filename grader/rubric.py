"""The rubric: YAML on disk, a validated pydantic model in memory.

A rubric maps each part of an assignment to the answer name a student defines
and to one or more checks (kind, points, tolerance, visibility, feedback on
known mistakes).  Loading validates everything an author can get wrong before
any student is graded, and names the YAML path of the mistake, e.g.
``parts[3].checks[0].points: Input should be greater than or equal to 0``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from grader.errors import RubricError

__all__ = [
    "CaseGroup", "CheckSpec", "Defaults", "FunctionOptions", "LimitsSpec", "Mistake", "Part", "Rubric", "ValueKind",
    "Visibility", "load_rubric", "parse_rubric", "rubric_json_schema",
]

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
ValueKind = Literal[
    "number", "vector", "expression", "relation", "relations", "region", "polygon", "choice",
    "bool", "params", "function", "text", "int_list", "outputs",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mistake(_Strict):
    """A known mistake: an answer matching ``expected`` earns ``credit`` and ``message``."""

    expected: str = Field(description="Reference function giving the mistaken value.")
    select: int | str | None = Field(None, description="Item of the mistaken value to compare with.")
    message: str = Field(min_length=1, description="What the student most likely did, and how to fix it.")
    credit: float = Field(0.0, ge=0.0, lt=1.0, description="Share of the check's points still earned.")


class CaseGroup(_Strict):
    """A named group of calls of a student function: all right, or no points."""

    name: str = Field(min_length=1, description="Shown in feedback, e.g. 'random inputs over every region'.")
    cases: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Reference function returning the group's list of Case."
    )
    points: float = Field(ge=0.0, description="Earned only when every call of the group is right.")


class FunctionOptions(_Strict):
    """Options of a ``function`` check: the groups of calls, and the tolerance of every output."""

    groups: tuple[CaseGroup, ...] = Field(
        min_length=1, description="Groups of calls; their points add up to the check's points."
    )
    rtol: float | None = Field(None, ge=0.0, description="Relative tolerance (default: the rubric's defaults).")
    atol: float | None = Field(None, ge=0.0, description="Absolute tolerance (default: the rubric's defaults).")

    @field_validator("groups")
    @classmethod
    def _unique_names(cls, groups: tuple[CaseGroup, ...]) -> tuple[CaseGroup, ...]:
        names = [g.name for g in groups]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"groups[{i}].name: {name!r} is used twice")
        return groups


def _check_function_options(options: dict[str, Any], points: float) -> None:
    """Validate a function check's options; the groups' points must add up to ``points``."""
    try:
        parsed = FunctionOptions.model_validate(options)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"{_format_loc(tuple(err['loc'])) or '(options)'}: {err['msg']}") from None
    if None in (options.get("rtol", 0), options.get("atol", 0)):
        raise ValueError("rtol and atol must be numbers when given")
    total = sum(g.points for g in parsed.groups)
    if abs(total - points) > 1e-9:
        raise ValueError(f"groups: the groups' points add up to {total:g}, not the check's points {points:g}")


class CheckSpec(_Strict):
    """One auto-graded check: one test in results.json."""

    name: str = Field(min_length=1, description="Test name shown on Gradescope.")
    kind: str = Field(description="Check kind, a key of grader.checks.KINDS.")
    points: float = Field(ge=0.0, description="Points for this check.")
    expected: str | None = Field(None, description="Reference attribute giving the expected value.")
    number: str | None = Field(None, description="Dotted test number; defaults to the part's number.")
    select: int | str | None = Field(
        None, description="Item of the answer (and of the expected value) this check judges."
    )
    visibility: Visibility | None = Field(None, description="Defaults to the rubric's default.")
    public: bool = Field(False, description="May run in the student self-check (reveals nothing).")
    options: dict[str, Any] = Field(
        default_factory=dict, validate_default=True, description="Params of the check kind."
    )
    mistakes: tuple[Mistake, ...] = Field(default=(), description="Known mistakes, tried in order.")

    @field_validator("options")
    @classmethod
    def _kind_options(cls, options: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if info.data.get("kind") == "function" and "points" in info.data:
            _check_function_options(options, info.data["points"])
        return options


class Part(_Strict):
    """One part of the assignment and the answer name that holds it."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Short id, used as the CSV column.")
    number: str = Field(pattern=r"^\d+(\.[A-Za-z0-9]+)*$", description="Dotted number, e.g. 1.a")
    title: str = Field(min_length=1)
    answer: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Name the student defines.")
    value: ValueKind = Field(description="Kind of value the student gives (see SPEC).")
    describe: str = Field(min_length=1, description="What the answer is, for the template.")
    signature: str | None = Field(None, description="For functions: the parameter list, e.g. (x1, x2).")
    optional: bool = Field(False, description="An optional part of the handout.")
    staff_points: float = Field(0.0, ge=0.0, description="Points graded by staff on Gradescope.")
    checks: tuple[CheckSpec, ...] = Field(default=())

    @model_validator(mode="after")
    def _function_has_signature(self) -> Part:
        if self.value == "function" and not self.signature:
            raise ValueError("a function part needs a signature, e.g. '(x1, x2, beta=1.0)'")
        return self


class Defaults(_Strict):
    """Values every check inherits unless it sets its own."""

    rtol: float = Field(1e-2, ge=0.0)
    atol: float = Field(1e-6, ge=0.0)
    visibility: Visibility = "after_due_date"


class LimitsSpec(_Strict):
    """Time limits of the sandboxed run, in seconds."""

    statement_seconds: float = Field(10.0, gt=0)
    call_seconds: float = Field(10.0, gt=0)
    total_seconds: float = Field(300.0, gt=0)
    symbolic_seconds: float = Field(2.0, gt=0)


class Rubric(_Strict):
    """A whole rubric file."""

    assignment: str = Field(min_length=1)
    reference: str = Field(description="Import path of the reference module, e.g. reference.hw4")
    entry_stem: str = Field("hw4", description="Preferred file name of the submission, without suffix.")
    public_checks: str | None = Field(
        None,
        description="Import path of the module of public property checks run by the student self-check "
        "(shipped to students: it must hold no answer), e.g. public.hw4",
    )
    seed: int = 6036
    total_points: float | None = Field(None, description="If set, the auto-graded points must add up to it.")
    defaults: Defaults = Field(default_factory=Defaults)
    limits: LimitsSpec = Field(default_factory=LimitsSpec)
    parts: tuple[Part, ...] = Field(min_length=1)

    @field_validator("parts")
    @classmethod
    def _unique(cls, parts: tuple[Part, ...]) -> tuple[Part, ...]:
        for attr in ("id", "answer"):
            seen: set[str] = set()
            for i, part in enumerate(parts):
                value = getattr(part, attr)
                if value in seen:
                    raise ValueError(f"parts[{i}].{attr}: {value!r} is used twice")
                seen.add(value)
        return parts

    @model_validator(mode="after")
    def _total(self) -> Rubric:
        if self.total_points is not None:
            total = sum(c.points for p in self.parts for c in p.checks)
            if abs(total - self.total_points) > 1e-9:
                raise ValueError(f"the checks' points add up to {total:g}, not total_points={self.total_points:g}")
        return self

    @property
    def max_points(self) -> float:
        return sum(c.points for p in self.parts for c in p.checks)


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for item in loc:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out


def parse_rubric(data: Any, *, source: str = "rubric") -> Rubric:
    """Validate rubric data, raising ``RubricError`` that names the YAML path."""
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            path = _format_loc(tuple(err["loc"])) or "(top level)"
            lines.append(f"{source}: {path}: {err['msg']}")
        raise RubricError("\n".join(lines)) from None


def load_rubric(path: Path) -> Rubric:
    """Read and validate a YAML rubric file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError(f"cannot read the rubric {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: not valid YAML: {exc}") from None
    return parse_rubric(data, source=str(path))


def rubric_json_schema() -> str:
    """The JSON Schema of the rubric format, for editors (yaml-language-server)."""
    schema = Rubric.model_json_schema()
    defs = schema["$defs"]
    options = FunctionOptions.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(options.pop("$defs", {}))
    defs["FunctionOptions"] = options
    defs["CheckSpec"]["allOf"] = [{
        "if": {"properties": {"kind": {"const": "function"}}, "required": ["kind"]},
        "then": {"properties": {"options": {"$ref": "#/$defs/FunctionOptions"}}, "required": ["options"]},
    }]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Autograder rubric"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
