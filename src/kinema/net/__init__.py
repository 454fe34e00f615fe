"""Outbound requests to client-supplied URLs (media inputs, callbacks): the address policy that keeps them
off private networks, connections pinned to the checked address, and URLs made safe to repeat."""
