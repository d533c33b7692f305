"""The class report as one self-contained HTML page.

Inline CSS, charts as inline SVG, no script, nothing fetched: a
Content-Security-Policy meta tag forbids scripts and every remote load, and
every piece of text that comes from a submission (answers, ids, names) goes
through :func:`html.escape`, so a ``<script>`` in an answer is shown, never run.
Named ``html_page`` so that it never stands in for the standard library's ``html``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from grader.atomic import atomic_write_text
from grader.report.answer_groups import AnswerGroup
from grader.report.charts import SHARE_COLORS, bar_chart, histogram, share_bar
from grader.report.class_report import (
    CheckSummary,
    ClassReport,
    PartSummary,
    PreviousRun,
    RegradeDiff,
    TextAnswers,
    build_class_report,
    relative_link,
)

__all__ = ["CSP", "render_html", "write_class_report", "write_html"]

CSP = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9;
line-height:1.4}
header{background:#1f3a5f;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.85;font-size:13px}
header code{background:rgba(255,255,255,.15);color:#fff}
nav{padding:8px 28px;background:#e9edf3;font-size:13px;position:sticky;top:0;z-index:1}
nav a{margin-right:12px;color:#1f3a5f;text-decoration:none}
main{max-width:1180px;margin:0 auto;padding:8px 28px 40px}
section{background:#fff;border:1px solid #dde2ea;border-radius:8px;padding:16px 20px;margin:18px 0}
h2{margin:0 0 12px;font-size:19px;color:#1f3a5f}
h3{margin:18px 0 8px;font-size:16px}
h4{margin:14px 0 6px;font-size:14px;color:#333}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:12px}
.card{border:1px solid #dde2ea;border-radius:6px;padding:8px 14px;min-width:110px;background:#fafbfc}
.card b{display:block;font-size:20px}
.card span{font-size:12px;color:#555}
.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #e6e9ee;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f6;font-weight:600}
th.n{text-align:right}
td.n{text-align:right;white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
code{background:#f1f3f6;padding:1px 4px;border-radius:3px;white-space:pre-wrap;word-break:break-word}
pre{background:#0f1b2d;color:#e8eef7;padding:10px 12px;border-radius:6px;overflow-x:auto;margin:6px 0}
.part{border-top:2px solid #e6e9ee;padding-top:6px;margin-top:22px}
.muted{color:#666;font-size:12px}
.tag{display:inline-block;border-radius:3px;padding:0 6px;font-size:11px;color:#fff;margin-right:3px}
.rule{color:#2e5c1f}
.none{color:#a33}
.text{white-space:pre-wrap;word-break:break-word;background:#fafbfc;border:1px solid #e6e9ee;border-radius:4px;
padding:6px 8px;margin:0}
.up{color:#1b7f2a;font-weight:600}.down{color:#b3261e;font-weight:600}
.note{background:#fff8e1;border:1px solid #f3d27a;border-radius:6px;padding:8px 12px;font-size:13px}
details summary{cursor:pointer;color:#1f3a5f;font-size:13px}
"""

_FLAG_COLORS = {"crash": "#b3261e", "timeout": "#ef6c00", "error": "#ef6c00", "invalid": "#6a1b9a",
                "missing": "#757575", "notice": "#1565c0"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pts(x: float | None) -> str:
    if x is None:
        return "–"
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _signed(x: float) -> str:
    return ("+" if x > 0 else "−" if x < 0 else "±") + _pts(abs(x))


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table; cells are already-escaped HTML."""
    cells = (f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(head))
    out = ["<table><thead><tr>", *cells, "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row)
        ) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _flags(names: Sequence[str]) -> str:
    return "".join(f'<span class="tag" style="background:{_FLAG_COLORS.get(n, "#555")}">{_e(n)}</span>'
                   for n in names)


# ------------------------------------------------------------------ sections


def _class_section(report: ClassReport, report_path: Path) -> str:
    n = len(report.submissions)
    cards = [
        (str(n), "submissions"), (str(len(report.graded)), "graded"),
        (_pts(report.mean), f"mean / {_pts(report.max_points)}"), (_pts(report.median), "median"),
        (str(len(report.flagged)), "flagged"), (str(report.count_flag("timeout")), "timed out"),
        (str(report.count_flag("crash")), "crashed"),
    ]
    out = ['<section id="class"><h2>The class</h2><div class="cards">']
    out += [f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for v, k in cards]
    out.append("</div>")
    out.append(histogram(report.totals, top=report.max_points, title="Totals (crashed submissions left out)",
                         x_title=f"points out of {_pts(report.max_points)}"))
    if report.flagged:
        rows = [
            (f'<a href="{_e(relative_link(s.results_path, report_path))}">{_e(s.id)}</a>',
             _pts(s.total), _flags(s.flags))
            for s in report.flagged
        ]
        out.append("<h3>Flagged submissions</h3>")
        out.append('<p class="muted">Worth a look: a crash, a timeout, an error or invalid answer, a missing answer, '
                   "or a notice about the run. Each id links to its results.json.</p>")
        out.append(_table(("id", "total", "flags"), rows, numeric=(1,)))
    out.append("</section>")
    return "".join(out)


def _spread_chart(part: PartSummary) -> str:
    values = sorted(set(part.points))
    if len(values) <= 12:
        labels = [_pts(v) for v in values]
        counts = [sum(1 for p in part.points if p == v) for v in values]
        return bar_chart(labels, counts, title="Points", x_title=f"points out of {_pts(part.max_points)}",
                         width=max(220, 60 * len(values) + 60), height=170)
    return histogram(part.points, top=part.max_points, title="Points", x_title="points")


def _group_rows(check: CheckSummary) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for g in check.groups:
        rule = (f'<span class="rule">{_e(g.rule)}</span><div class="muted">{_e(g.message)}</div>' if g.rule
                else '<span class="none">no rule yet</span>')
        more = f'<div class="muted">and {g.spellings - 1} other spelling(s)</div>' if g.spellings > 1 else ""
        rows.append((str(g.count), f"<code>{_e(g.example)}</code>{more}", _pts(g.score), rule))
    return rows


def _unexplained(check: CheckSummary) -> str:
    if not check.unexplained:
        return ""
    out = ["<h4>Wrong answers no rule explains, most common first</h4>"]
    rest: list[AnswerGroup] = []
    for group, snippet in check.unexplained:
        if not snippet:
            rest.append(group)
            continue
        ids = ", ".join(group.members[:8]) + (" …" if group.count > 8 else "")
        out.append(f'<p>{group.count} × <code>{_e(group.example)}</code> <span class="muted">({_e(ids)})</span></p>')
        opened = " open" if group is check.unexplained[0][0] else ""
        out.append(f"<details{opened}><summary>rubric rule to paste</summary><pre>{_e(snippet)}</pre></details>")
    if rest:
        shown = "; ".join(f"{g.count} × {g.example}" for g in rest[:10])
        out.append(f'<p class="muted">Also: {_e(shown)}{" …" if len(rest) > 10 else ""}</p>')
    return "".join(out)


def _function_block(check: CheckSummary, title: str) -> str:
    if not check.calls:
        return title + '<p class="muted">No call failed.</p>'
    groups = [(_e(g.name), str(g.calls), f"{g.failed} / {g.answered}") for g in check.case_groups]
    calls = [
        (_e(c.label), f"{c.failed} / {c.answered}", "<br>".join(f"{_e(r)} ({k})" for r, k in c.reasons))
        for c in check.calls[:10]
    ]
    more = f'<p class="muted">{len(check.calls) - 10} more call(s) failed.</p>' if len(check.calls) > 10 else ""
    return (title + "<h4>Case groups: submissions that failed any call of the group</h4>"
            + _table(("case group", "calls", "submissions failing"), groups, numeric=(1, 2))
            + "<h4>Calls that failed most</h4>" + _table(("call", "failed", "how"), calls, numeric=(1,)) + more)


def _check_block(check: CheckSummary, single: bool) -> str:
    """One check's findings; in a part of several checks, a check with nothing to show is left out."""
    title = "" if single else f"<h4>{_e(check.number)} {_e(check.name)}</h4>"
    if check.function:
        return _function_block(check, title)
    if not check.groups:
        return '<p class="muted">No wrong answer to group.</p>' if single else ""
    table = _table(("count", "answer (one spelling)", "score", "known mistake"), _group_rows(check), numeric=(0, 2))
    head = "<h4>Most common wrong answers</h4>" if single else ""
    return title + head + table + _unexplained(check)


def _part_section(part: PartSummary) -> str:
    out = [f'<div class="part" id="part-{_e(part.id)}"><h3>{_e(part.number)} — {_e(part.title)} '
           f'<span class="muted">({_pts(part.max_points)} pts)</span></h3>']
    shares = [(name, n) for name, n in part.shares]
    spread = _spread_chart(part) if part.max_points > 0 else ""
    out.append(f'<div class="row">{spread}{share_bar(shares, title="Outcomes")}</div>')
    single = len(part.checks) == 1
    blocks = [_check_block(c, single) for c in part.checks]
    out += blocks if any(blocks) else ['<p class="muted">No wrong answer to group.</p>']
    out.append("</div>")
    return "".join(out)


def _texts_section(texts: Sequence[TextAnswers]) -> str:
    out = ['<section id="texts"><h2>Staff-graded text answers</h2>']
    for t in texts:
        out.append(f"<h3>{_e(t.number)} — {_e(t.title)} <span class=\"muted\">({_pts(t.staff_points)} pts, "
                   f"{len(t.entries)} answered, {len(t.unanswered)} not)</span></h3>")
        rows = [(_e(sub_id), f'<p class="text">{_e(text)}</p>') for sub_id, text in t.entries]
        out.append(_table(("id", "answer"), rows) if rows else '<p class="muted">No answer yet.</p>')
        if t.unanswered:
            out.append(f'<p class="muted">Not answered: {_e(", ".join(t.unanswered))}</p>')
    out.append("</section>")
    return "".join(out)


def _diff_section(diff: RegradeDiff) -> str:
    out = ['<section id="diff"><h2>Regrade diff</h2>',
           f'<p class="muted">Compared with <code>{_e(diff.previous)}</code>: {len(diff.changed)} changed, '
           f"{diff.unchanged} unchanged, {len(diff.new)} new, {len(diff.gone)} no longer present.</p>"]
    rows = []
    for c in diff.changed:
        kind = "up" if c.delta > 0 else "down" if c.delta < 0 else ""
        parts = "<br>".join(f"{_e(p)}: {_pts(a)} → {_pts(b)} ({_signed(round(b - a, 4))})" for p, a, b in c.parts)
        rows.append((_e(c.id), _e(c.name), _pts(c.before), _pts(c.after),
                     f'<span class="{kind}">{_signed(c.delta)}</span>', parts))
    if rows:
        out.append(_table(("id", "name", "before", "after", "change", "parts"), rows, numeric=(2, 3, 4)))
    for label, ids in (("New", diff.new), ("No longer present", diff.gone)):
        if ids:
            out.append(f'<p class="muted">{label}: {_e(", ".join(ids))}</p>')
    out.append("</section>")
    return "".join(out)


def render_html(report: ClassReport, report_path: Path) -> str:
    """The whole page; links to results.json files are relative to ``report_path``."""
    title = f"Class report — {report.assignment}"
    nav = ['<a href="#class">Class</a>', '<a href="#parts">Parts</a>']
    if report.texts:
        nav.append('<a href="#texts">Text answers</a>')
    if report.diff is not None:
        nav.append('<a href="#diff">Regrade diff</a>')
    nav += [f'<a href="#part-{_e(p.id)}">{_e(p.number)}</a>' for p in report.parts]
    body = [
        f"<header><h1>{_e(title)}</h1><p>{len(report.submissions)} submission(s) from "
        f"<code>{_e(report.out_dir)}</code>, {_e(report.generated)}. Staff only: it shows students' answers.</p>"
        "</header>",
        f"<nav>{''.join(nav)}</nav><main>",
        *(f'<p class="note">{_e(n)}</p>' for n in report.notes),
    ]
    if report.diff is not None:
        body.append(_diff_section(report.diff))
    body.append(_class_section(report, report_path))
    legend = " ".join(f'<span class="tag" style="background:{c}">{k}</span>' for k, c in SHARE_COLORS.items()
                      if k != "manual")
    body.append(f'<section id="parts"><h2>Parts, in assignment order</h2><p class="muted">{legend} Wrong answers are '
                "grouped as each part's check judges them (numbers within its tolerance, expressions by "
                "equivalence, shapes by shape).</p>")
    body += [_part_section(p) for p in report.parts]
    body.append("</section>")
    if report.texts:
        body.append(_texts_section(report.texts))
    body.append("</main>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        + "".join(body) + "</body></html>\n"
    )


def write_html(report: ClassReport, path: Path) -> None:
    """Write the page to ``path`` atomically."""
    atomic_write_text(Path(path), render_html(report, Path(path)))


def write_class_report(out_dir: Path, path: Path, *, rubric: Path, previous: PreviousRun | None = None) -> ClassReport:
    """Bind ``rubric``, sum up what a batch kept in ``out_dir`` and write the page to ``path``."""
    from grader.assignment import load_assignment

    report = build_class_report(load_assignment(rubric), out_dir, previous=previous)
    write_html(report, path)
    return report
