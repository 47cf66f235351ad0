"""The command line: ``satisfaction run | clean | synth | new-year``.

* ``satisfaction run [--year Y ...] [--notebook NAME ...] [--force] [--workers N]``: the batch,
  every notebook for every year in ``params/`` whose inputs changed, through papermill, then
  both editions of the HTML pages and ``reports/index.html`` (exit codes:
  :mod:`satisfaction.report.runner`).
* ``satisfaction clean RAW --year Y --out DIR``: the cleaning step on one file.
* ``satisfaction synth --out DIR --seed N``: the synthetic raw files (survey and PAR index);
  ``--plant-composition`` and ``--plant-courtesy`` plant a composition shift and a courtesy
  bias of known size in the pair of years (:class:`satisfaction.synth.Planting`).
* ``satisfaction new-year YEAR [--raw FILE] [--codebook FILE]``: ``params/<YEAR>.yaml`` written
  from the latest year, a comment on each key to edit, then validated
  (:func:`satisfaction.params.write_new_year`).

File-level faults exit with status 2 and one line on stderr naming the file and the fault (a
file that is mostly bad is one); row-level faults never stop a run (those rows go to the
quarantine file with their line number). A params file that fails its schema exits 2 with one
line naming the file and the key, whatever the command. Nothing printed carries a phone or ID
number.

Not for: any logic of its own: each command calls one library function.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_FILE_FAULT = 2


def _clean_settings(args: argparse.Namespace):
    """The year's cleaning settings (its params file, if any), ``--offices`` applied."""
    from dataclasses import replace

    from .clean import CleanSettings
    from .params import ParamsError, load_params, params_path

    params_file = Path(args.params) if args.params else params_path(args.year)
    settings = CleanSettings()
    if args.params or params_file.exists():
        try:
            settings = CleanSettings.from_params(load_params(args.year, params_file))
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            if isinstance(exc, ParamsError):
                raise
            raise ParamsError(f"{params_file}: not a valid params file "
                              f"({type(exc).__name__}: {exc})") from None
    if args.offices is not None:
        chosen = None if args.offices.lower() == "none" else Path(args.offices)
        settings = replace(settings, offices_file=chosen)
    if args.codebook is not None:
        settings = replace(settings, codebook=Path(args.codebook))
    return settings


def _cmd_clean(args: argparse.Namespace) -> int:
    from .clean import CleanError, clean_file, office_list_line
    from .codebook import CodebookError
    from .io import RawFileError
    from .params import ParamsError
    from .personal import redact

    try:
        settings = _clean_settings(args)
        for what, path in (("office list", settings.offices_file),
                           ("codebook", settings.codebook)):
            if path is not None and not path.exists():
                raise CleanError(path, f"{what} not found")
        result = clean_file(args.raw, args.year, args.out, encoding=args.encoding,
                            sheet=args.sheet, settings=settings)
    except (RawFileError, CleanError, ParamsError, CodebookError) as exc:
        print(redact(" ".join(f"satisfaction clean: {exc}".split())), file=sys.stderr)
        return EXIT_FILE_FAULT
    log = result.log
    for warning in log["warnings"]:
        print(redact(f"satisfaction clean: {args.raw}: warning: {warning}"), file=sys.stderr)
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(log["quarantine_reasons"].items())) or "none"
    print(redact(f"{args.raw}: {log['rows_in']} rows -> {log['rows_clean']} clean, "
                 f"{log['rows_quarantined']} quarantined ({reasons}); "
                 f"{office_list_line(log).rstrip('.').lower()}; written to {args.out}"))
    return 0


def _cmd_synth(args: argparse.Namespace) -> int:
    from .synth import Planting, write_survey_files
    from .synth_par import write_par_tables

    planting = None
    if args.plant_composition or args.plant_courtesy:
        try:
            planting = Planting(composition=args.plant_composition, courtesy=args.plant_courtesy)
        except ValueError as exc:
            print(f"satisfaction synth: {exc}", file=sys.stderr)
            return EXIT_FILE_FAULT
    written = write_survey_files(args.out, seed=args.seed, planting=planting)
    written += write_par_tables(Path(args.out), seed=args.seed)
    for path in written:
        print(path)
    return 0


def _cmd_new_year(args: argparse.Namespace) -> int:
    from .params import write_new_year

    path, fault = write_new_year(args.year, raw_file=args.raw, codebook=args.codebook,
                                 force=args.force)
    if fault is not None:
        print(f"wrote {path}; edit it before `make reports`: {fault}", file=sys.stderr)
        return EXIT_FILE_FAULT
    print(f"wrote {path} (valid); check the keys marked EDIT, then run `make reports`")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .report import run_batch

    return run_batch(years=args.year or None, notebooks=args.notebook or None,
                     workers=args.workers, force=args.force,
                     stop_on_failure=args.stop_on_failure, wait=args.wait)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the tests and ``--help``)."""
    from .synth import DEFAULT_SEED

    parser = argparse.ArgumentParser(
        prog="satisfaction",
        description="Citizen satisfaction with public-security services: clean, estimate, report.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run", help="run every notebook for every year and render the reports",
        description="Run the notebooks whose inputs changed, for every year of params/, and "
        "write both editions of each page and of reports/index.html. A failure never stops "
        "the pages that do not need the failed step; the run exits 1 and names every failure.")
    run.add_argument("--year", type=int, action="append", help="a year of params/ (repeatable)")
    run.add_argument("--notebook", action="append",
                     help="a notebook name such as 02_satisfaction (repeatable)")
    run.add_argument("--force", action="store_true",
                     help="rebuild every page, even those whose inputs did not change")
    run.add_argument("--workers", type=int, default=2, help="notebooks run at once (default 2)")
    run.add_argument("--stop-on-failure", action="store_true",
                     help="start no new notebook after the first failure")
    run.add_argument("--wait", type=float, default=600.0, metavar="SECONDS",
                     help="how long to wait for another run of the same reports folder "
                     "(default 600; 0: give up at once)")
    run.set_defaults(func=_cmd_run)

    clean = sub.add_parser("clean", help="clean one raw survey file")
    clean.add_argument("raw", help="the raw file (.csv, .xlsx, .sav, .dta, .parquet)")
    clean.add_argument("--year", type=int, required=True)
    clean.add_argument("--out", required=True, help="folder for the processed outputs")
    clean.add_argument("--encoding", default=None,
                       help="CSV encoding (utf-8, utf-16, cp1258, tcvn3, vni); default: detect")
    clean.add_argument("--sheet", default=None, help="Excel worksheet (default: the first)")
    clean.add_argument("--offices", default=None,
                       help="office list for canonical names, or 'none' (default: the year's "
                            "params offices_file, else data/raw/offices.csv)")
    clean.add_argument("--params", default=None,
                       help="params file with the cleaning settings (default: params/<year>.yaml "
                            "when it exists)")
    clean.add_argument("--codebook", default=None,
                       help="the questionnaire (default: the year's params codebook, else "
                            "data/raw/codebook.yaml)")
    clean.set_defaults(func=_cmd_clean)

    new = sub.add_parser("new-year", help="write params/<YEAR>.yaml from the latest year")
    new.add_argument("year", type=int, help="the new survey year")
    new.add_argument("--raw", default=None,
                     help="the year's raw file (default: the one data/raw/survey_<YEAR>.*)")
    new.add_argument("--codebook", default=None,
                     help="the year's codebook (default: the latest year's)")
    new.add_argument("--force", action="store_true", help="overwrite an existing params file")
    new.set_defaults(func=_cmd_new_year)

    synth = sub.add_parser("synth", help="write the synthetic raw files")
    synth.add_argument("--out", required=True, help="destination folder, e.g. data/raw")
    synth.add_argument("--seed", type=int, default=DEFAULT_SEED)
    synth.add_argument("--plant-composition", type=float, default=0.0, metavar="SHIFT",
                       help="plant a change of SHIFT (a proportion: 0.02 = 2 points) that comes "
                            "only from the channel mix; the truth goes to planted.json "
                            "(default 0: the shipped files)")
    synth.add_argument("--plant-courtesy", type=float, default=0.0, metavar="SHARE",
                       help="plant courtesy: SHARE of the current year's satisfied answers "
                            "(0.05 = 5 %%) come from respondents who were not satisfied "
                            "(default 0)")
    synth.set_defaults(func=_cmd_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``satisfaction`` console script.

    A :class:`~satisfaction.params.ParamsError` from any command (a params file that fails its
    schema) exits 2 with its one line on stderr.
    """
    from .params import ParamsError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ParamsError as exc:
        print(f"satisfaction {args.command}: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_FILE_FAULT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
