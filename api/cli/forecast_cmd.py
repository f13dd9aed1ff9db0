"""``stockpilot forecast`` and ``stockpilot bench forecast`` (thin: parse, call, print)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli.errors import CliError


def read_sales_file(path: str):
    """A sales-shape frame from CSV/Parquet in the sales shape or one of the public data sets
    in ``shared/data/sales`` (mapped by :mod:`scenarios.datasets.real`)."""
    import pandas as pd

    from scenarios.datasets.real import is_real_dataset, to_sales_shape

    p = Path(path)
    name = p.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            df = pd.read_parquet(p)
        elif name.endswith((".csv", ".csv.gz", ".txt")):
            df = pd.read_csv(p)
        else:
            raise CliError(f"{path}: unknown file type; use .csv, .csv.gz or .parquet")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CliError(f"{path}: cannot read as a table ({type(exc).__name__}: {exc})") from exc
    if is_real_dataset(df.columns):
        df = to_sales_shape(df)
    return df


def write_frame(df, path: str) -> None:
    name = path.lower()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if name.endswith((".parquet", ".pq")):
        df.to_parquet(path, index=False)
    elif name.endswith((".csv", ".csv.gz")):
        df.to_csv(path, index=False, date_format="%Y-%m-%d")
    else:
        raise CliError(f"{path}: unknown output type; use .csv, .csv.gz or .parquet")


def register(cli: click.Group, bench: click.Group) -> None:
    @cli.command("forecast")
    @click.option("--sales", "sales_path", required=True,
                  type=click.Path(exists=True, dir_okay=False),
                  help="Sales history: CSV or Parquet in the sales shape (item_id, location_id, "
                       "date, qty[, promo, price]) or a raw file of shared/data/sales.")
    @click.option("--horizon", required=True, type=int, help="Buckets to forecast (> 0).")
    @click.option("--freq", required=True, type=click.Choice(["D", "W", "M"], case_sensitive=False),
                  help="Planning bucket: day, ISO week (Monday) or month.")
    @click.option("--out", "out_path", type=click.Path(dir_okay=False),
                  help="Output file (.csv, .csv.gz or .parquet): item_id, location_id, date, "
                       "mean, p10, p50, p90, [pXX...], model.")
    @click.option("--levels", default="", help="Extra quantiles / service levels, e.g. 0.95,0.98 "
                  "-> columns p95, p98 (p10, p50, p90 are always there).")
    @click.option("--models", default="auto", show_default=True,
                  help="auto, or a comma list of models to choose from by CV: ses, theta, sba, "
                       "tsb, adida, imapa, snaive, ets, arima, croston, prophet, ...")
    @click.option("--combine", default=3, show_default=True, type=int,
                  help="Average the k best models of the CV (1 = pick the best).")
    @click.option("--categories", "categories_path", type=click.Path(exists=True, dir_okay=False),
                  help="item_id,category file for the cold start of new items.")
    @click.option("--future-promo", "future_promo_path",
                  type=click.Path(exists=True, dir_okay=False),
                  help="Planned promotions of the horizon: item_id, location_id, date, promo "
                       "(share 0..1); without it no promotion is assumed.")
    @click.option("--holidays", "holidays_country", default=None,
                  help="Country code of public holidays (e.g. CN, IT): Prophet holidays, and "
                       "closed days when the store closed on past holidays.")
    @click.option("--plots", "plots_dir", type=click.Path(file_okay=False),
                  help="Write PNG plots (history, forecast, bands) to this folder.")
    @click.option("--plot", "plot_series", nargs=2, multiple=True, metavar="ITEM LOCATION",
                  help="Plot this series (repeatable); default: the --max-plots largest.")
    @click.option("--max-plots", default=20, show_default=True, type=int)
    @click.option("--series-report", type=click.Path(dir_okay=False),
                  help="Also write one row per series: pattern, ADI, CV², model, status, notes.")
    @click.option("--jobs", default=0, type=int, help="Worker processes (0 = all cores).")
    @click.option("--seed", default=0, show_default=True, type=int)
    @click.option("--engine", type=click.Choice(["local", "dask", "spark"]), default="local",
                  show_default=True, help="Where the per-series work runs (README: Scale-out).")
    @click.option("--engine-address", default=None,
                  help="Dask scheduler (tcp://host:8786) or Spark master URL; default: local cluster.")
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    def forecast_cmd(sales_path, horizon, freq, out_path, levels, models, combine,
                     categories_path, future_promo_path, holidays_country, plots_dir,
                     plot_series, max_plots,
                     series_report, jobs, seed, engine, engine_address, quiet):
        """Forecast every item × location of a sales file, with quantiles and model choice."""
        from forecasting import forecast
        from forecasting.plots import plot_many

        if not out_path and not plots_dir and not plot_series:
            raise CliError(
                "nothing to do: give --out FILE and/or --plots DIR / --plot ITEM LOCATION")
        sales = read_sales_file(sales_path)
        cats = read_sales_file(categories_path) if categories_path else None
        if cats is not None and not {"item_id", "category"} <= set(cats.columns):
            raise CliError(f"{categories_path}: needs columns item_id, category")
        fp = read_sales_file(future_promo_path) if future_promo_path else None
        if fp is not None and not {"item_id", "location_id", "date", "promo"} <= set(fp.columns):
            raise CliError(
                f"{future_promo_path}: needs columns item_id, location_id, date, promo")
        from scenarios.engines import engine_mapper

        with engine_mapper(engine, engine_address, n_jobs=jobs or None) as mapper:
            res = forecast(sales, horizon, freq.upper(), levels=levels, models=models,
                           combine=combine, categories=cats, future_promo=fp,
                           holidays_country=holidays_country,
                           mapper=None if engine == "local" else mapper, n_jobs=jobs or None, progress=not quiet, seed=seed)
        if out_path:
            write_frame(res.forecasts, out_path)
        if series_report:
            write_frame(res.series, series_report)
        if plots_dir or plot_series:
            picks = list(plot_series)
            if not picks:
                vol = res.history.groupby(["item_id", "location_id"])["qty"].sum()
                picks = list(vol.sort_values(ascending=False).head(max_plots).index)
            known = set(zip(res.series["item_id"], res.series["location_id"], strict=False))
            for i, lo in picks:
                if (i, lo) not in known:
                    raise CliError(f"--plot: no series for item {i!r} at location {lo!r}")
            plot_many(res.history, res.forecasts, plots_dir or ".", picks)
        s = res.series
        click.echo(json.dumps({
            "series": len(s), "rows": len(res.forecasts), "out": out_path,
            "patterns": s["pattern"].value_counts().to_dict(),
            "status": s["status"].value_counts().to_dict(),
            "top_models": s["model"].value_counts().head(5).to_dict(),
            "series_with_notes": int((s["note"] != "").sum()),
        }, indent=1))

    @bench.command("forecast")
    @click.option("--data", "data_path", required=True,
                  type=click.Path(exists=True, dir_okay=False),
                  help="Sales file (sales shape or a raw file of shared/data/sales).")
    @click.option("--freq", required=True, type=click.Choice(["D", "W", "M"], case_sensitive=False))
    @click.option("--horizon", required=True, type=int, help="Buckets held back and forecast.")
    @click.option("--max-series", default=0, type=int,
                  help="Random sample of this many series (0 = all).")
    @click.option("--seed", default=0, show_default=True, type=int)
    @click.option("--no-prophet", is_flag=True, help="Skip the Prophet reference.")
    @click.option("--no-arima", is_flag=True, help="Skip the AutoARIMA reference.")
    @click.option("--combine", default=3, show_default=True, type=int)
    @click.option("--holidays", "holidays_country", default=None,
                  help="Country code of the stores' public holidays (closures), e.g. IT.")
    @click.option("--jobs", default=0, type=int, help="Worker processes (0 = all cores).")
    @click.option("--engine", type=click.Choice(["local", "dask", "spark"]), default="local",
                  show_default=True, help="Where the per-series work runs (README: Scale-out).")
    @click.option("--engine-address", default=None,
                  help="Dask scheduler (tcp://host:8786) or Spark master URL; default: local cluster.")
    def bench_forecast(data_path, freq, horizon, max_series, seed, no_prophet, no_arima, combine,
                       holidays_country, jobs, engine, engine_address):
        """Hold back the last horizon; score stockpilot against Prophet and statsforecast."""
        from forecasting.bench import run_benchmark

        if horizon <= 0:
            raise CliError(f"--horizon must be > 0, got {horizon}")
        sales = read_sales_file(data_path)
        from scenarios.engines import engine_mapper

        with engine_mapper(engine, engine_address, n_jobs=jobs or None) as mapper:
            result = run_benchmark(sales, freq.upper(), horizon, max_series=max_series or None,
                                   seed=seed, arima=not no_arima, prophet=not no_prophet,
                                   n_jobs=jobs or None, progress=True,
                                   mapper=None if engine == "local" else mapper,
                                   combine=combine, holidays_country=holidays_country)
        result["engine"] = engine
        result["data"] = str(data_path)
        click.echo(json.dumps(result, indent=1))
