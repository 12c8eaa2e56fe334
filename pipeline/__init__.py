"""minutes: meeting documents of Norwegian health partnerships -> a queryable DuckDB warehouse."""
__version__ = "0.6.1"
