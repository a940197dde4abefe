"""Password policy: refuse common passwords in English and French."""

import re
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

FRENCH_LIST = Path(__file__).parent / "data" / "common-passwords-fr.txt"
# Digits and punctuation people add at the end of a common word: motdepasse1, soleil2026!
_SUFFIX = re.compile(r"[\d\W_]+$")


def french_passwords() -> set[str]:
    lines = FRENCH_LIST.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common (English) passwords plus the French list of
    data/common-passwords-fr.txt (sources in its header). A password is refused if it, or what is left
    of it without the digits and punctuation at its end, is in either list."""

    def __init__(self):
        super().__init__()
        self.passwords |= french_passwords()

    def validate(self, password, user=None):
        candidate = password.lower().strip()
        stem = _SUFFIX.sub("", candidate)
        if candidate in self.passwords or (stem and stem in self.passwords):
            raise ValidationError(self.get_error_message(), code="password_too_common")
