"""The `minutes` command line: thin wrappers over the stage modules."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__, build, extract, extract_text, ingest

DEFAULT_DB = Path("warehouse/minutes.duckdb")


@click.group()
@click.version_option(__version__, prog_name="minutes")
@click.option("-v", "--verbose", is_flag=True, help="Log data-quality warnings for every file.")
def main(verbose: bool) -> None:
    """minutes: meeting documents of Norwegian health partnerships into a DuckDB warehouse."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s",
                        stream=sys.stderr)


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, required=True, help="Print the extracted JSON (CONTRACT.md §2).")
def extract_cmd(file: Path, as_json: bool) -> None:
    """Run the extraction stages on FILE (PDF or text) and print one JSON object; writes nothing."""
    try:
        ex, _ = extract.run(file, _raw_root(file))
    except (ingest.IngestError, extract_text.ExtractError) as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(extract.to_json(ex.to_dict()))


@main.command("build")
@click.option("--raw", type=click.Path(file_okay=False, path_type=Path), default=Path("raw"), show_default=True,
              help="Folder of input documents, one sub-folder per partnership.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB, show_default=True,
              help="DuckDB warehouse file.")
@click.option("--extracted", type=click.Path(file_okay=False, path_type=Path), default=Path("extracted"),
              show_default=True, help="Folder for the stage outputs.")
@click.option("--strict", is_flag=True, help="Stop at the first file that fails.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def build_cmd(raw: Path, db: Path, extracted: Path, strict: bool, as_json: bool) -> None:
    """Build the warehouse from every document under --raw; exit 1 if any file failed."""
    if not raw.is_dir():
        raise click.ClickException(f"{raw}: no such folder")
    try:
        summary = build.run(raw, db, extracted, strict=strict)
    except build.BuildFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False) if as_json else "\n".join(summary.lines()))
    sys.exit(1 if summary.failed else 0)


def _raw_root(file: Path) -> Path | None:
    for parent in file.resolve().parents:
        if parent.name == "raw":
            return parent
    return None
