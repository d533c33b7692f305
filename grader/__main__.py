"""Command line: grade, check, batch, report, bundle, template, schema, autograder.

Run ``python -m grader --help``.  Exit codes: 0 graded (whatever the score),
2 bad usage or a broken rubric, 1 the grader itself failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grader.paths import GRADESCOPE_RESULTS, GRADESCOPE_SUBMISSION, PUBLIC_RUBRIC, ROOT, active_rubric
from grader.sandbox.limits import Limits

if TYPE_CHECKING:
    from grader.report.class_report import PreviousRun


def _add_rubric(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rubric", type=Path, default=active_rubric(),
                        help="rubric YAML (default: $GRADER_RUBRIC, else the one the zip was built for: %(default)s)")


def _color(args: argparse.Namespace) -> bool | None:
    return False if getattr(args, "no_color", False) else None


def cmd_autograder(args: argparse.Namespace) -> int:
    from grader.autograder import run

    if args.path is None:  # Gradescope: fixed folders
        results = (args.results / "results.json") if args.results else GRADESCOPE_RESULTS
        return run(GRADESCOPE_SUBMISSION, results, rubric=args.rubric, table=False, limits=_env_limits())
    if not _exists(args.path):
        return 2
    results = (args.results / "results.json") if args.results else Path("results") / "results.json"
    return run(args.path, results, rubric=args.rubric, color=_color(args), limits=_env_limits())


def _env_limits() -> Limits | None:
    """``$GRADER_SANDBOX_USER`` picks the sandbox account (as setup.sh creates it)."""
    user = os.environ.get("GRADER_SANDBOX_USER")
    return Limits(user=user) if user else None


def _exists(path: Path) -> bool:
    """A local path to grade must exist; say so in one line (nothing is written) when it does not."""
    if os.path.lexists(path):
        return True
    print(f"error: {path} does not exist (give a .py or .ipynb file, or a submission folder)", file=sys.stderr)
    return False


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.autograder import grade_to_results, staff_detail
    from grader.report.console import render_table
    from grader.report.gradescope import write_results

    if not _exists(args.path):
        return 2

    outcome = grade_to_results(args.path, rubric=args.rubric)
    if args.json:
        write_results(outcome.results, args.json)
    if outcome.report is not None:
        print(render_table(outcome.report, color=_color(args)))
    else:
        print(staff_detail(outcome.results), file=sys.stderr)
    return outcome.exit_code


def cmd_template(args: argparse.Namespace) -> int:
    if not Path(args.rubric).exists() and PUBLIC_RUBRIC.is_file():  # the student bundle
        from grader.public_checks import load_public

        sys.stdout.write(load_public(PUBLIC_RUBRIC)["template"])
        return 0
    from grader.rubric import load_rubric
    from grader.template import render_template

    sys.stdout.write(render_template(load_rubric(args.rubric)))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    """``batch``; Ctrl-C stops the workers, keeps the CSV of what is finished and exits 130."""
    try:
        return _batch(args)
    except KeyboardInterrupt as exc:
        from grader.batch import BatchInterrupted

        again = "run the same command again" + (" without --force" if args.force else "")
        done = ""
        if isinstance(exc, BatchInterrupted):
            summary = exc.summary
            done = (f" {len(summary.rows)} of {summary.total} submission(s) finished, their rows written to "
                    f"{summary.csv_path};")
        print(f"interrupted:{done} to resume, {again} (finished submissions are skipped).", file=sys.stderr)
        return 130


def _batch(args: argparse.Namespace) -> int:
    from grader.batch import NothingToGrade, NotIsolatedError, default_out_dir, locate_submissions, run_batch

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        folder, note = locate_submissions(args.folder, exclude=(args.out or default_out_dir(args.csv), args.csv))
    except NothingToGrade as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if note:
        print(note, file=sys.stderr)
    previous = _previous_run(args.compare)  # read first: the new CSV may overwrite it
    if args.compare and previous is None:
        return 2
    try:
        summary = run_batch(
            folder, args.csv, out_dir=args.out, jobs=args.jobs, force=args.force, rubric=args.rubric,
            progress=not args.quiet, user_prefix=os.environ.get("GRADER_SANDBOX_USER", "grader-sandbox"),
            allow_unisolated=args.no_isolation,
        )
    except NotIsolatedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    flagged = sum(1 for row in summary.rows if row[-1])
    print(
        f"{len(summary.rows)} submission(s): {len(summary.graded)} graded, {len(summary.skipped)} already "
        f"done (skipped; --force regrades), {len(summary.crashed)} crashed, {flagged} flagged."
    )
    print(f"CSV: {summary.csv_path}   results.json files: {summary.out_dir}/<id>/results.json")
    if args.report:
        _write_report(summary.out_dir, args.report, args.rubric, previous)
    return 0


def _previous_run(path: Path | None) -> PreviousRun | None:
    """The previous CSV of ``--compare``; None (after saying why) when it cannot be read."""
    from grader.report.class_report import read_previous_csv

    if path is None:
        return None
    try:
        return read_previous_csv(path)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read the previous CSV {path}: {exc}", file=sys.stderr)
        return None


def _write_report(out_dir: Path, output: Path, rubric: Path, previous: PreviousRun | None) -> None:
    from grader.report.html_page import write_class_report

    report = write_class_report(out_dir, output, rubric=rubric, previous=previous)
    print(f"class report: {output} ({len(report.submissions)} submission(s))")


def cmd_report(args: argparse.Namespace) -> int:
    if not args.out_dir.is_dir():
        print(f"error: {args.out_dir} is not a folder (give the batch's --out folder of <id>/results.json)",
              file=sys.stderr)
        return 2
    previous = _previous_run(args.compare)
    if args.compare and previous is None:
        return 2
    _write_report(args.out_dir, args.output, args.rubric, previous)
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from grader.bundle import build_autograder_bundle, build_student_bundle

    out = args.output or Path(f"{_entry_stem(args.rubric)}-selfcheck.zip" if args.student else "autograder.zip")
    build = build_student_bundle if args.student else build_autograder_bundle
    names = build(out, rubric=args.rubric)
    kind = "student self-check bundle" if args.student else "Gradescope autograder bundle"
    print(f"wrote {out} ({kind}, {len(names)} files, {out.stat().st_size // 1024} KiB)")
    return 0


def _entry_stem(rubric: Path) -> str:
    """The submission's file name without suffix, from the student bundle's metadata or the rubric."""
    if _student_bundle():
        from grader.public_checks import load_public

        return str(load_public(PUBLIC_RUBRIC)["entry_stem"])
    from grader.rubric import load_rubric

    return load_rubric(rubric).entry_stem


def cmd_check(args: argparse.Namespace) -> int:
    from grader.selfcheck import run_check

    path = args.path if args.path is not None else Path(f"{_entry_stem(args.rubric)}.py")
    return run_check(path, rubric=args.rubric, color=_color(args))


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

    p = sub.add_parser("check", help="a student's self-check: present, parses, runs, public checks")
    p.add_argument("path", type=Path, nargs="?", help="your file or its folder (default: <entry_stem>.py)")
    p.add_argument("--no-color", action="store_true")
    _add_rubric(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("batch", help="grade a folder of submissions (a Gradescope export) into a CSV")
    p.add_argument("folder", type=Path, help="Gradescope export folder, or any folder of submissions")
    p.add_argument("--csv", type=Path, default=Path("grades.csv"), help="CSV to write (default: %(default)s)")
    p.add_argument("--out", type=Path, help="folder for <id>/results.json (default: <csv stem>_results)")
    p.add_argument("--jobs", "-j", type=int, help="worker processes (default: all cores)")
    p.add_argument("--force", action="store_true", help="regrade submissions already graded")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--no-isolation", action="store_true",
                   help="grade even where student code cannot be isolated (no root, no namespaces)")
    p.add_argument("--report", type=Path, help="also write the class report (one HTML file) here")
    p.add_argument("--compare", type=Path, help="previous CSV: the report lists whose score changed")
    _add_rubric(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("report", help="the class report (one HTML file) from a batch's kept results")
    p.add_argument("out_dir", type=Path, help="the batch's --out folder (default name: <csv stem>_results)")
    p.add_argument("-o", "--output", type=Path, default=Path("report.html"),
                   help="HTML to write (default: %(default)s)")
    p.add_argument("--compare", type=Path, help="previous CSV: list whose score changed")
    _add_rubric(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("bundle", help="build the Gradescope zip (or, with --student, the self-check zip)")
    p.add_argument("-o", "--output", type=Path,
                   help="zip to write (default: autograder.zip / <entry_stem>-selfcheck.zip)")
    p.add_argument("--student", action="store_true", help="the students' self-check bundle: no answers")
    _add_rubric(p)
    p.set_defaults(func=cmd_bundle)

    p = sub.add_parser("template", help="print the student template")
    _add_rubric(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("schema", help="print the JSON Schema of the rubric format")
    p.set_defaults(func=cmd_schema)
    return parser


STUDENT_COMMANDS = ("check", "template")
"""What the students' self-check bundle can run (it holds no reference and no rubric)."""


def _student_bundle() -> bool:
    return not (ROOT / "rubrics").is_dir() and PUBLIC_RUBRIC.is_file()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from grader.errors import RubricError

    if _student_bundle() and args.command not in STUDENT_COMMANDS:
        print(f"error: '{args.command}' is for course staff; this self-check bundle runs only "
              + " and ".join(f"'python -m grader {c}'" for c in STUDENT_COMMANDS), file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] in ("grader", "reference", "public"):
            raise
        print(f"error: the package {exc.name.split('.')[0]!r} is not installed; run once: {_install_hint()}",
              file=sys.stderr)
        return 2


def _install_hint() -> str:
    python = "py" if sys.platform == "win32" else "python3"
    requirements = "requirements-selfcheck.txt" if _student_bundle() else "requirements.txt"
    return f"{python} -m pip install -r {requirements}"


def _exit_now(code: int) -> None:
    """Flush and leave without tearing sympy's caches down one by one (a tenth of a second).

    Every file the commands write (results.json, CSV) is complete and renamed
    into place before ``main`` returns, so nothing is lost.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run() -> None:
    """The ``grader`` console script."""
    _exit_now(main())


if __name__ == "__main__":
    run()
