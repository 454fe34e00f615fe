"""Task lifecycle: create, claim, lease, progress, finish, cancel, reap, retention."""
