"""Encryption of identifying fields and the keyed blind index used to search them."""

import hashlib
import hmac
import unicodedata

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.functional import cached_property
from encrypted_fields.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


class SiraKeysMixin:
    """Use Sira's own Fernet keys (kept outside the database, rotatable) rather than keys derived
    from SECRET_KEY, so rotating the session secret never makes identities unreadable."""

    @cached_property
    def keys(self) -> list[bytes]:
        return [key.strip().encode() for key in settings.SIRA_FIELD_ENCRYPTION_KEYS]

    @cached_property
    def f(self):
        return MultiFernet([Fernet(key) for key in self.keys])


class IdentityCharField(SiraKeysMixin, EncryptedCharField):
    pass


class IdentityTextField(SiraKeysMixin, EncryptedTextField):
    pass


class IdentityDateField(SiraKeysMixin, EncryptedDateField):
    pass


def normalise(text: str) -> str:
    """Case-, accent- and space-insensitive form, so 'Traoré' and 'TRAORE ' match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def blind_index(text: str) -> str:
    value = normalise(text)
    if not value:
        return ""
    key = settings.SIRA_BLIND_INDEX_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
