"""Callbacks: an outbox written with each status change, delivered with retries and Standard-Webhooks
signatures by a sender thread that never blocks a job."""
