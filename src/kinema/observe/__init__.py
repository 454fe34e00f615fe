"""What an operator watches: Prometheus metrics shared by every process of a deployment, and log lines that
carry the request and task they belong to. The lowest shared layer, so the API, the workers, the job system,
the callback sender and the media fetcher can all report without importing each other."""
