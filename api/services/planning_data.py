"""Load the planning data set from the database (the pipeline's input on ``--data database``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.services.data_import import table_frame
from scenarios.datasets.planning_data import PlanningData
from scenarios.datasets.schemas import FILE_ORDER


def load_planning_data(session: Session) -> PlanningData:
    """Every data table as a typed frame (the same columns and dtypes as ``read_dir``)."""
    return PlanningData.from_frames({name: table_frame(session, name) for name in FILE_ORDER})
