"""The planning pipeline, data files and their schemas, scenario specs, simulation and KPIs.

Depends on :mod:`optimizer` and :mod:`forecasting`; never imports Flask or SQLAlchemy.
"""
