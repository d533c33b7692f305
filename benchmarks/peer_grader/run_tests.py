"""The peer's entry point, as Gradescope's gradescope-utils template writes it.

    python benchmarks/peer_grader/run_tests.py SUBMISSION_FOLDER RESULTS_JSON

Runs ``tests.py`` with ``JSONTestRunner`` in one process: the student's
``hw4.py`` is imported in-process, with no sandbox.  A baseline for
``benchmarks/bench_grade.py``, not a grader of this project.
"""

import os
import sys
import unittest

from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

if __name__ == "__main__":
    os.environ["PEER_SUBMISSION"] = os.path.abspath(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    suite = unittest.defaultTestLoader.discover(here, pattern="tests.py", top_level_dir=here)
    with open(sys.argv[2], "w") as out:
        JSONTestRunner(visibility="visible", stream=out).run(suite)
