"""`python -m pipeline` and the `minutes` console script.

This module imports nothing at load time. Worker processes are spawned (all but a build's first
pool, which is forked where that is safe: builder/workers.start_pool), and spawn imports the
parent's main module again in every worker: the console script's module (this one,
through the script's own import) or, for `python -m pipeline.cli`, the whole command line with the
warehouse, DataFrame and Arrow libraries. Started from here, the workers import only what reading
a file needs (pipeline.builder.workers)."""


def run() -> None:
    from .cli import run as run_cli

    run_cli()


if __name__ == "__main__":
    run()
