"""The unit of work: one session, committed once at the end or rolled back on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from api.db.session import unit_of_work  # noqa: F401  (re-exported: services import it from here)




class RequestSessions:
    """What handlers pass to services during one HTTP request: calling it gives a fresh
    session for a unit of work (writes); :meth:`shared_reader` gives the request's one read
    session (autocommit on PostgreSQL: no BEGIN/ROLLBACK round trips), reused by
    authentication and every read of the request and closed when the request ends."""

    def __init__(self, write_factory: sessionmaker[Session], read_factory: sessionmaker[Session]):
        self.write_factory = write_factory
        self.read_factory = read_factory
        self._reader: Session | None = None

    def __call__(self) -> Session:
        return self.write_factory()

    def shared_reader(self) -> Session:
        if self._reader is None:
            self._reader = self.read_factory()
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


@contextmanager
def read_only(sessions) -> Iterator[Session]:
    """A session for reading (nothing is committed). Within a request, the request's shared
    read session."""
    if isinstance(sessions, RequestSessions):
        yield sessions.shared_reader()
        return
    session = sessions()
    try:
        yield session
    finally:
        # ends the transaction; loaded objects stay readable (detached, not expired)
        session.close()
