"""`minutes serve`: a read-only web view of the warehouse (app.py)."""
