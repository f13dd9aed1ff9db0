"""The import job: several data files validated together and upserted in one transaction,
committed together with the job's success."""

from __future__ import annotations

import gzip
import json

from api.jobs import queue
from api.services.uow import unit_of_work


def pack_files(files: dict[str, bytes]) -> bytes:
    """{table: CSV bytes} → the job payload."""
    return gzip.compress(json.dumps({k: v.decode("latin-1") for k, v in files.items()}).encode())


def unpack_files(payload: bytes) -> dict[str, bytes]:
    return {k: v.encode("latin-1") for k, v in json.loads(gzip.decompress(payload)).items()}


def run_import(ctx) -> dict:
    from api.services.data_import import import_frames
    from api.services.data_tables import frame_from_csv
    from scenarios.datasets.files import validate_frame
    from scenarios.datasets.schemas import FILE_ORDER
    from scenarios.errors import DataValidationError

    files = unpack_files(ctx.payload or b"")
    frames, issues = {}, []
    names = [n for n in FILE_ORDER if n in files]
    for i, name in enumerate(names):
        ctx.progress(0.6 * i / max(1, len(names)), f"validating {name}")
        try:
            frames[name] = validate_frame(frame_from_csv(files[name], name), name, label=name)
        except DataValidationError as err:
            issues.extend(err.issues)
    if issues:
        raise DataValidationError(issues)
    ctx.progress(0.6, "writing")
    with unit_of_work(ctx.sessions) as s:
        report = import_frames(s, frames, source=f"api-import:{ctx.job_id}")
        result = report.as_dict()
        if not queue.mark_succeeded(s, ctx.job_id, result):
            raise queue.JobCancelled(f"job {ctx.job_id} is no longer running; nothing imported")
    return result
