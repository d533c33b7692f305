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
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from grader.checks import KINDS, known_kinds, options_model, trait
from grader.errors import RubricError

__all__ = [
    "CheckSpec", "Defaults", "LimitsSpec", "Mistake", "Part", "Rubric", "Visibility", "check_options", "load_rubric",
    "parse_rubric", "rubric_json_schema",
]

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mistake(_Strict):
    """A known mistake: an answer matching ``expected`` earns ``credit`` and ``message``."""

    expected: str = Field(description="Reference function giving the mistaken value.")
    select: int | str | None = Field(None, description="Item of the mistaken value to compare with.")
    message: str = Field(min_length=1, description="What the student most likely did, and how to fix it.")
    credit: float = Field(0.0, ge=0.0, lt=1.0, description="Share of the check's points still earned.")


def _known_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown check kind {kind!r}; known kinds: {', '.join(known_kinds())}")
    return kind


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
        default_factory=dict, description="Options of the check kind (validated by the kind's typed model)."
    )
    mistakes: tuple[Mistake, ...] = Field(default=(), description="Known mistakes, tried in order.")

    _kind = field_validator("kind")(_known_kind)


class Part(_Strict):
    """One part of the assignment and the answer name that holds it.

    The kind of answer comes from the part's checks (all of one kind); a part
    without checks (a text kept for the staff) names it: ``kind: text``.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Short id, used as the CSV column.")
    number: str = Field(pattern=r"^\d+(\.[A-Za-z0-9]+)*$", description="Dotted number, e.g. 1.a")
    title: str = Field(min_length=1)
    answer: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Name the student defines.")
    kind: str | None = Field(
        None, description="Kind of answer; defaults to the kind of the part's checks (required without checks)."
    )
    items: str | None = Field(
        None, description="For an answer judged item by item (checks with select): what its items are called "
        "in messages, e.g. 'outputs' (default: the kind's name + 's')."
    )
    describe: str = Field(min_length=1, description="What the answer is, for the template.")
    signature: str | None = Field(None, description="For functions: the parameter list, e.g. (x1, x2).")
    optional: bool = Field(False, description="An optional part of the handout.")
    staff_points: float = Field(0.0, ge=0.0, description="Points graded by staff on Gradescope.")
    checks: tuple[CheckSpec, ...] = Field(default=())

    @model_validator(mode="before")
    @classmethod
    def _kind_from_checks(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "value" in data:
            raise ValueError("value: is no longer written: a part's kind comes from its checks' kind "
                             "(a part without checks says kind: text)")
        checks = data.get("checks") or ()
        kinds = [c.get("kind") if isinstance(c, dict) else getattr(c, "kind", None) for c in checks]
        if data.get("kind") is None and kinds and all(k == kinds[0] for k in kinds):
            data = {**data, "kind": kinds[0]}
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> Part:
        if self.kind is None:
            if self.checks:
                first = self.checks[0].kind
                j = next(j for j, c in enumerate(self.checks) if c.kind != first)
                raise ValueError(f"checks[{j}].kind: every check of a part judges one kind of answer; "
                                 f"{self.checks[j].kind!r} differs from {first!r}")
            raise ValueError("kind: a part without checks needs its kind of answer (kind: text for a text "
                             "graded by the staff)")
        _known_kind(self.kind)
        for j, check in enumerate(self.checks):
            if check.kind != self.kind:
                raise ValueError(f"checks[{j}].kind: {check.kind!r} differs from the part's kind {self.kind!r}")
        return self

    @property
    def keyed(self) -> bool:
        """Whether the answer is judged item by item (its checks select items)."""
        return any(c.select is not None for c in self.checks)

    @property
    def noun(self) -> str:
        """What the items of a keyed answer are called in messages (``relations``)."""
        return self.items or f"{self.kind}s"

    @property
    def value(self) -> str:
        """What the student gives, in a word: the items' noun for a keyed answer, else the kind."""
        return self.noun if self.keyed else str(self.kind)


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
    reference: str = Field(description="Import path of the reference module, e.g. reference.<stem>")
    entry_stem: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", description="Preferred file name of the submission, without suffix."
    )
    public_checks: str | None = Field(
        None,
        description="Import path of the module of public property checks run by the student self-check "
        "(shipped to students: it must hold no answer), e.g. public.<stem>",
    )
    helpers: str | None = Field(
        None, pattern=r"^public(\.[A-Za-z_][A-Za-z0-9_]*)+$",
        description="Import path of the module of helper functions that calls pass to student functions "
        "(shipped, in public/, see grader.sandbox.calls), e.g. public.<stem>_helpers",
    )
    seed: int = 6036
    total_points: float | None = Field(None, description="If set, the auto-graded points must add up to it.")
    defaults: Defaults = Field(default_factory=Defaults)
    limits: LimitsSpec = Field(default_factory=LimitsSpec)
    parts: tuple[Part, ...] = Field(min_length=1)
    _source: str = PrivateAttr("rubric")

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

    @property
    def source(self) -> str:
        """Where the rubric was read from, for error messages."""
        return self._source


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for item in loc:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out


def parse_rubric(data: Any, *, source: str = "rubric") -> Rubric:
    """Validate rubric data, raising ``RubricError`` that names the YAML path."""
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            path = _format_loc(tuple(err["loc"])) or "(top level)"
            lines.append(f"{source}: {path}: {err['msg']}")
        raise RubricError("\n".join(lines)) from None
    rubric._source = source
    return rubric


def check_options(rubric: Rubric) -> None:
    """Validate every check's ``options:`` with its kind's typed model, and what each kind requires of its part.

    Imports the kind modules, so it runs when an assignment is bound (before
    any student is graded), not when the rubric is read; raises
    ``RubricError`` naming the YAML path of every problem.
    """
    lines = []
    for i, part in enumerate(rubric.parts):
        for field in trait(str(part.kind), "REQUIRES") or ():
            if not getattr(part, field):
                lines.append(f"{rubric.source}: parts[{i}].{field}: a {part.kind} part needs a {field}")
        for j, spec in enumerate(part.checks):
            try:
                options_model(spec.kind).model_validate(spec.options, context={"points": spec.points})
            except ValidationError as exc:
                for err in exc.errors():
                    loc = _format_loc(tuple(err["loc"]))
                    where = f"{loc}: " if loc else ""
                    lines.append(f"{rubric.source}: parts[{i}].checks[{j}].options: {where}{err['msg']}")
    if lines:
        raise RubricError("\n".join(lines))


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


def _schema_models() -> type[BaseModel]:
    """The rubric model as editors see it: each check a variant of a union discriminated by ``kind``."""
    variants: list[Any] = []
    kinds: Any = Literal[tuple(known_kinds())]  # type: ignore[valid-type]
    for kind in known_kinds():
        options = options_model(kind)
        required = any(f.is_required() for f in options.model_fields.values())
        name = "".join(w.capitalize() for w in kind.split("_")) + "Check"
        one: Any = Literal[kind]  # type: ignore[valid-type]
        about = Field(...) if required else Field(default_factory=dict, description="Options of the kind.")
        variants.append(create_model(name, __base__=CheckSpec, kind=(one, Field(description="Check kind.")),
                                     options=(options, about)))
    check: Any = Annotated[Union[tuple(variants)], Field(discriminator="kind")]  # noqa: UP007 - a runtime union
    part: Any = create_model(
        "Part", __base__=Part, kind=(kinds | None, Field(None, description=Part.model_fields["kind"].description)),
        checks=(tuple[check, ...], Field(default=())),
    )
    model: type[BaseModel] = create_model("Rubric", __base__=Rubric, parts=(tuple[part, ...], Field(min_length=1)))
    return model


def rubric_json_schema() -> str:
    """The JSON Schema of the rubric format, for editors (yaml-language-server).

    Each check is one variant of a union discriminated by ``kind``, whose
    ``options`` are that kind's typed model, so an editor completes them.
    """
    schema = _schema_models().model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Autograder rubric"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
