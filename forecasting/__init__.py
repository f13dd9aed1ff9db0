"""Demand forecasting: sales history (long frame) -> forecasts with quantiles.

The only package that imports prophet / statsforecast. Never imports Flask or SQLAlchemy.
"""
