"""The ``leerlab`` command line.

Exit codes: 0 success, 1 data failed validation or could not be read,
2 configuration or usage error, 3 internal error (a bug; rerun with ``--debug``).
No traceback is shown unless ``--debug`` is given.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .errors import EXIT_CONFIG, LeerlabError

EXIT_INTERNAL = 3
#: 128 + SIGINT, what a shell reports for a program stopped with Ctrl-C.
EXIT_INTERRUPTED = 130
DEFAULT_STUDY = Path("analyses/demo/study.yaml")

app = typer.Typer(
    name="leerlab",
    help="Leerlab reflection surveys: load, clean, measure, compare and report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)
out_console = Console()
_state: dict[str, Any] = {"debug": False}

StudyOpt = Annotated[
    Path, typer.Option("--study", "-s", help="Study file (YAML).", show_default=True)
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Output root (default: the study's output root).")
]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Leerlab reflection surveys: load, clean, measure, compare and report."""
    _state["debug"] = debug


def cli_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn package errors into a message and exit code; no traceback unless --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LeerlabError as exc:
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True
            )
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if _state["debug"]:
                raise
            err_console.print(
                "[bold red]interrupted[/]: the stage that was running is marked incomplete in "
                "the out folder's manifest.json; run the command again to finish it",
                highlight=False,
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence at the CLI boundary
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
                "This is a bug in leerlab-research; rerun with --debug and report the traceback.",
                highlight=False,
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


def _load(study: Path, *, check_sources: bool = True):
    from .config.study import load_study

    return load_study(study, check_sources=check_sources)


def _context(study: Path, out: Path | None, **options: Any):
    from .outputs import ensure_out_folder
    from .runtime import StageContext

    st = _load(study)
    root = ensure_out_folder(st.output_root(out))
    return StageContext(
        study=st, out=root, console=err_console, debug=_state["debug"], options=options
    )


def _run_stage(name: str, study: Path, out: Path | None, **options: Any) -> None:
    from .pipeline import run_stage

    ctx = _context(study, out, **options)
    _summarise(ctx.out, run_stage(name, ctx))


def _summarise(root: Path, written: list[Path]) -> None:
    for path in written:
        try:
            shown = Path(path).relative_to(root)
        except ValueError:
            shown = Path(path)
        err_console.print(f"  wrote {root / shown}", highlight=False)


class CodebookFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    frictionless = "frictionless"


@app.command()
@cli_errors
def codebook(
    study: StudyOpt = DEFAULT_STUDY,
    format: Annotated[CodebookFormat, typer.Option("--format", "-f")] = CodebookFormat.table,
    lang: Annotated[str, typer.Option("--lang", help="nl or en")] = "nl",
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file.")] = None,
) -> None:
    """Show the instrument: item codes, scales, reverse keying and item text."""
    from .config import codebook_formats as cf

    st = _load(study, check_sources=False)
    cb = st.codebook
    if format is CodebookFormat.table:
        out_console.print(cf.rich_table(cb, lang, st.labs))
        return
    text = {
        CodebookFormat.markdown: cf.to_markdown,
        CodebookFormat.json: cf.to_json,
        CodebookFormat.frictionless: cf.to_frictionless_json,
    }[format](cb, lang, st.labs)
    if output:
        from .outputs import write_text

        write_text(text, output)
        err_console.print(f"  wrote {output}")
    else:
        sys.stdout.write(text)


@app.command()
@cli_errors
def instrument(
    format: Annotated[
        str, typer.Option("--format", "-f", help="lss (LimeSurvey), qsf (Qualtrics) or print.")
    ],
    study: StudyOpt = DEFAULT_STUDY,
    lang: Annotated[str, typer.Option("--lang", help="nl or en.")] = "nl",
    lab: Annotated[
        str | None, typer.Option("--lab", help="Prefill and hide the lab question.")
    ] = None,
    wave: Annotated[
        str | None, typer.Option("--wave", help="Wave stored in a hidden field.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path(
        "out/instrument"
    ),
) -> None:
    """Write the questionnaire from the codebook: LimeSurvey, Qualtrics or printable."""
    from .instrument import write_instrument
    from .report.stage import templates_dir

    st = _load(study, check_sources=False)
    written = write_instrument(
        st.codebook,
        st.labs,
        format.strip().lower(),
        out,
        lang=lang,
        lab=lab,
        wave=wave,
        codebook_path=st.codebook_path,
        labs_path=st.labs_path,
        templates=templates_dir(st.settings.report.templates, st.base_dir),
    )
    _summarise(out, written)


@app.command()
@cli_errors
def demo(
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo exports.")] = Path(
        "data/demo"
    ),
    survey: Annotated[
        list[Path] | None,
        typer.Option(
            "--survey",
            help="A survey from `leerlab instrument` (.lss/.qsf): write the demo's responses "
            "to it in that platform's export layout instead (repeatable).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files in --out that the demo did not write.")
    ] = False,
    coders_for: Annotated[
        Path | None,
        typer.Option(
            "--coders-for",
            help="An out folder where `leerlab code` ran on the demo: two simulated coders "
            "fill in its coding sheet from the truth themes → --out/coding/codeur_A.xlsx, "
            "codeur_B.xlsx (for `leerlab code --import`).",
        ),
    ] = None,
) -> None:
    """Generate the demo study: exports in four platform layouts plus ground truth."""
    from .demo.record import write_demo_files

    if coders_for is not None:
        from .demo.coders import coder_sheets

        # the demo's truth (--out) and the coded out folder; the sheets go into --out
        _summarise(
            out,
            write_demo_files(out, lambda f: coder_sheets(coders_for, out, f, seed), force=force),
        )
        return
    if survey:
        from .demo.survey_demo import export_stems, generate_survey_export

        stems = export_stems(list(survey))

        def generate(folder: Path) -> list[Path]:
            return [
                p
                for s, stem in zip(survey, stems, strict=True)
                for p in generate_survey_export(s, folder, seed=seed, stem=stem)
            ]
    else:
        from .demo import generate_demo

        def generate(folder: Path) -> list[Path]:
            return generate_demo(seed=seed, out=folder)

    # No lock file among the exports: each file is replaced atomically and the
    # demo refuses to replace what it did not write.
    _summarise(out, write_demo_files(out, generate, force=force))


@app.command()
@cli_errors
def validate(study: StudyOpt = DEFAULT_STUDY, out: OutOpt = None) -> None:
    """Read every export against the codebook and report all failures (lazy validation)."""
    from .pipeline import run_stage

    ctx = _context(study, out)
    _summarise(ctx.out, run_stage("validate", ctx))


@app.command()
@cli_errors
def clean(study: StudyOpt = DEFAULT_STUDY, out: OutOpt = None) -> None:
    """Clean the exports into one pseudonymised response table with an audit trail."""
    _run_stage("clean", study, out)


@app.command()
@cli_errors
def code(
    sheets: Annotated[
        list[Path] | None, typer.Argument(help="Coded .xlsx sheets (with --import).")
    ] = None,
    import_: Annotated[
        bool, typer.Option("--import", help="Read coded sheets back: validate, agreement.")
    ] = False,
    study: StudyOpt = DEFAULT_STUDY,
    out: OutOpt = None,
) -> None:
    """Code the open answers: propose themes and write the coding sheet, or import sheets."""
    if sheets and not import_:
        err_console.print("[bold red]error:[/] give --import to read coded sheets back")
        raise typer.Exit(EXIT_CONFIG)
    if not import_:
        _run_stage("code", study, out)
        return
    from .coding.stage import run_import
    from .manifest import sha256_file
    from .pipeline import run_stage

    ctx = _context(study, out)
    paths = list(sheets or [])
    extra = {str(p): sha256_file(p) for p in paths if p.is_file()}
    written = run_stage("code-import", ctx, lambda c: run_import(c, paths), extra_inputs=extra)
    _summarise(ctx.out, written)


@app.command()
@cli_errors
def measurement(study: StudyOpt = DEFAULT_STUDY, out: OutOpt = None) -> None:
    """Scale reliability (alpha, omega), item analysis, CFA and invariance → <out>/measurement/."""
    _run_stage("measurement", study, out)


@app.command("reliability", hidden=True)
@cli_errors
def reliability_alias(study: StudyOpt = DEFAULT_STUDY, out: OutOpt = None) -> None:
    """Former name of `leerlab measurement` (kept so that existing scripts keep working)."""
    _run_stage("measurement", study, out)


@app.command()
@cli_errors
def compare(study: StudyOpt = DEFAULT_STUDY, out: OutOpt = None) -> None:
    """Compare conditions across labs, roles, school types and waves."""
    _run_stage("compare", study, out)


@app.command()
@cli_errors
def report(
    study: StudyOpt = DEFAULT_STUDY,
    out: OutOpt = None,
    lab: Annotated[str | None, typer.Option("--lab", help="One lab (name, alias or id).")] = None,
    all_labs: Annotated[bool, typer.Option("--all", help="Every lab (default).")] = False,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="lab, programme or methods (repeatable).")
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="Comma list: html,docx,pdf.")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="nl or en.")] = None,
    site: Annotated[
        bool,
        typer.Option(
            "--site",
            help="Write only <out>/site/ (the index linking the reports; with Quarto a website with search).",
        ),
    ] = False,
) -> None:
    """Render the reports with quarto when available, else the fallback engine."""
    if lab and all_labs:
        err_console.print("[bold red]error:[/] give either --lab or --all, not both")
        raise typer.Exit(EXIT_CONFIG)
    _run_stage("report", study, out, lab=lab, kinds=kind, formats=format, lang=lang, site_only=site)


@app.command()
@cli_errors
def run(study: StudyOpt = DEFAULT_STUDY, out: OutOpt = None) -> None:
    """Run every stage in order and write <out>/manifest.json."""
    from .outputs import ensure_out_folder
    from .pipeline import run as run_pipeline

    st = _load(study)
    ensure_out_folder(st.output_root(out))
    run_pipeline(st, out, console=err_console, debug=_state["debug"])


def entry() -> None:
    """The ``leerlab`` command (``[project.scripts]``): the Typer app, then a quick exit.

    At exit the interpreter's garbage collector walks every object of pandas, scipy
    and statsmodels once more while it tears the modules down (≈ 0.3 s of every
    command, 10 % of ``leerlab compare`` on the demo); freezing them first skips
    that walk. Exit handlers (multiprocessing, temporary folders, open files) still
    run, and the memory goes back to the system with the process. Only here, at
    the very end of a process: frozen objects are never collected.
    """
    try:
        app()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    entry()
