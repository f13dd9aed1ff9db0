"""Background jobs on a database-backed queue (the ``job`` table).

Why a database queue and not RQ on Redis: the jobs' results (a published plan, imported rows)
live in the same database, so claiming a job, publishing its plan and marking it succeeded can
commit in one transaction — a plan is published exactly when its job says so. It needs no
extra service (the embedded SQLite default keeps working, CI needs no Redis), and survives a
restart because the queue *is* the database. Claiming is a compare-and-set on the job's status
(with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL so workers do not queue behind each
other); a running job refreshes ``heartbeat_at``, and a job whose heartbeat is stale — its
worker died — is marked failed by the next worker that looks.
"""
