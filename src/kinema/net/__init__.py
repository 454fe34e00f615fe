"""Outbound requests to client-supplied URLs: the address policy that keeps them off private networks, and
connections pinned to the address that was checked."""
