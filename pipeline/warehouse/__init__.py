"""The DuckDB warehouse: its schema (schema.sql), the writes (load) and the reads (queries)."""
