"""HTTP: routers per endpoint family, auth, envelopes, error mapping."""
