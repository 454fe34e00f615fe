"""The gateway: run a task on an upstream Kling API (or CometAPI) and archive its results (docs/gateway.md).

``routes`` decides which tasks go upstream; ``client`` speaks to the upstream (auth, envelope, which
errors are worth a retry); ``forward`` turns a validated request into the upstream body; ``follow`` polls
the upstream task to its end; ``archive`` copies its result files into local files through the SSRF guard.
The job system (``kinema.jobs.upstream``) composes them into an executor.
"""
