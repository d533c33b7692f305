"""Command line: grade, check, batch, bundle, template, schema, autograder.

Run ``python -m grader --help``.  Exit codes: 0 graded (whatever the score),
2 bad usage or a broken rubric, 1 the grader itself failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from grader.paths import DEFAULT_RUBRIC, GRADESCOPE_RESULTS, GRADESCOPE_SUBMISSION


def _add_rubric(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric YAML (default: %(default)s)")


def _color(args: argparse.Namespace) -> bool | None:
    return False if getattr(args, "no_color", False) else None


def cmd_autograder(args: argparse.Namespace) -> int:
    from grader.autograder import run

    if args.path is None:  # Gradescope: fixed folders
        results = (args.results / "results.json") if args.results else GRADESCOPE_RESULTS
        return run(GRADESCOPE_SUBMISSION, results, rubric=args.rubric, table=False)
    results = (args.results / "results.json") if args.results else Path("results") / "results.json"
    return run(args.path, results, rubric=args.rubric, color=_color(args))


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.autograder import grade_to_results
    from grader.report.console import render_table
    from grader.report.gradescope import write_results

    outcome = grade_to_results(args.path, rubric=args.rubric)
    if args.json:
        write_results(outcome.results, args.json)
    if outcome.report is not None:
        print(render_table(outcome.report, color=_color(args)))
    else:
        print(outcome.results.get("output", "The autograder failed."), file=sys.stderr)
    return outcome.exit_code


def cmd_template(args: argparse.Namespace) -> int:
    from grader.rubric import load_rubric
    from grader.template import render_template

    sys.stdout.write(render_template(load_rubric(args.rubric)))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from grader.rubric import rubric_json_schema

    sys.stdout.write(rubric_json_schema())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("grade", help="grade one submission and print a table")
    p.add_argument("path", type=Path, help="a .py/.ipynb file or a submission folder")
    p.add_argument("--json", type=Path, help="also write results.json here")
    p.add_argument("--no-color", action="store_true")
    _add_rubric(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("autograder", help="what run_autograder runs (Gradescope folders when no PATH)")
    p.add_argument("path", type=Path, nargs="?", help="grade this locally instead of /autograder/submission")
    p.add_argument("--results", type=Path, help="folder for results.json (local default: ./results)")
    p.add_argument("--no-color", action="store_true")
    _add_rubric(p)
    p.set_defaults(func=cmd_autograder)

    p = sub.add_parser("template", help="print the student template")
    _add_rubric(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("schema", help="print the JSON Schema of the rubric format")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from grader.errors import RubricError

    try:
        return int(args.func(args))
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
