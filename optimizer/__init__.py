"""Pure optimization models: data in, plan out. The only package that imports ortools / pulp.

Never imports Flask or SQLAlchemy. Solver configuration and status handling live in
:mod:`optimizer.solver`.
"""
