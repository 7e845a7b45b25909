"""Kazakh (kk) translations of the error page's support reference (same terms as kk.py)."""

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "Reference for support: %(reference)s": "Қолдау қызметіне арналған нөмір: %(reference)s",
}
