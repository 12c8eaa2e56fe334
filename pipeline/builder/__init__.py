"""A build: every file under raw/ planned by content hash (plan), read in worker processes
(workers), derived and loaded in batches (batches), one build at a time (lock), end to end (run);
status reports what the warehouse holds and what a build would do. This face imports nothing: a
worker process imports only pipeline.builder.workers and what reading a file needs."""
