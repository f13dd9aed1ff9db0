"""Plan functions for job tests (importable by name from a worker subprocess)."""

from __future__ import annotations

import time

from api.jobs.plan_job import PlanOutput
from tests.api.conftest import plan_lines


def sleeping_plan(inputs, progress):
    progress(0.1, "thinking")
    time.sleep(120)
    return PlanOutput(lines=plan_lines())


def failing_plan(inputs, progress):
    progress(0.5, "half way")
    raise RuntimeError("solver exploded half way")
