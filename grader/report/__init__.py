"""Reporters: pure functions of a :class:`~grader.results.GradeReport` (plus writing the file).

* :mod:`grader.report.gradescope` -- ``results.json`` (through gradescope-utils),
  its JSON Schema check, strict-JSON writing, the crash file;
* :mod:`grader.report.console` -- the terminal table;
* :mod:`grader.report.csv_rows` -- batch-regrade CSV rows;
* the class report after a batch regrade: :mod:`grader.report.class_report`
  (its data, from the kept results and answers), :mod:`grader.report.html_page`
  (the page), with :mod:`grader.report.charts`, :mod:`grader.report.answer_groups`
  and :mod:`grader.report.answers_json`.

The package imports nothing itself: importing the console table does not load
gradescope-utils.
"""
