"""URLs the server repeats (task objects, the callbacks log) never carry the client's credentials.

A client may put ``user:password@`` in a media or callback URL so that kinema authenticates to its server;
kinema uses it for the request but must not hand it back to anyone who can read the task (issue 13,
item 9). :func:`without_userinfo` is the one place that strips it.
"""

from __future__ import annotations

import re

# scheme "//" then everything up to the last "@" before the path, query or fragment starts. Greedy on
# purpose: "http://a@b@host/" loses "a@b@", whatever a parser would make of it.
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#]*@")


def without_userinfo(url: str) -> str:
    """``url`` without its ``user:password@`` part; anything else is returned unchanged."""
    return _USERINFO.sub(r"\1", url, count=1)
