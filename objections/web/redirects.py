"""Where a `next` parameter may send the browser: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def local_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None. Browsers drop tabs and line breaks from a Location and
    read a backslash as a slash, so "/\\t/evil.example" or "/\\\\evil.example" would leave the site: refused too."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def return_path() -> str:
    """Where the language switch brings the visitor back: this page; or, for a page a form produced (a POST, which
    a redirect cannot repeat), the page the form was on, known from the same-site Referer; else the home page."""
    if request.method in ("GET", "HEAD"):
        return request.full_path if request.query_string else request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return "/"
    return local_target(referrer.path + (f"?{referrer.query}" if referrer.query else "")) or "/"
