"""Bearer API keys: creation, verification, roles and scoping (see :mod:`api.auth.keys`)."""
