"""Repositories: rows ↔ dataclasses. They read and write through the caller's session and never
commit (the services own the transaction)."""
