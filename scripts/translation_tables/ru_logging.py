"""Russian (ru) translations of the error page's support reference (same terms as ru.py)."""

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "Reference for support: %(reference)s": "Номер для службы поддержки: %(reference)s",
}
