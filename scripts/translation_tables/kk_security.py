"""Kazakh (kk) translations of the password and security messages (same terms as kk.py)."""

# ruff: noqa: E501 - a table of whole sentences: one entry per line keeps the source and its translation side by side

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "This password is easy to guess (a common word, name, date, keyboard pattern or your own e-mail): add unrelated words or characters.": "Бұл құпиясөзді табу оңай (жиі кездесетін сөз, есім, күн, пернетақта үлгісі немесе өз электрондық поштаңыз): бір-біріне қатысы жоқ сөздер немесе таңбалар қосыңыз.",
}
