"""Encryption of identifying fields and the keyed blind index used to search them.

Keys (docs/security.md, "Keys"):
- SIRA_FIELD_ENCRYPTION_KEYS: Fernet keys, newest first. The first encrypts; every key decrypts, so a
  new key is put in front, the application restarted, and `manage.py rotate_keys` re-encrypts the rows
  still under an older key, which can then be removed.
- SIRA_BLIND_INDEX_KEY: HMAC key(s) for the name tokens and the other keyed hashes, newest first (comma
  separated). The first computes what is stored; searches also try the older ones, so names stay
  findable while `rotate_keys --blind-index` rebuilds the tokens."""

import base64
import hashlib
import hmac
import json
import unicodedata

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.functional import cached_property
from encrypted_fields.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


def field_keys() -> list[bytes]:
    return [key.strip().encode() for key in settings.SIRA_FIELD_ENCRYPTION_KEYS if key.strip()]


def fernet() -> MultiFernet:
    """The field keys as one MultiFernet: encrypts with the first, decrypts with any."""
    return MultiFernet([Fernet(key) for key in field_keys()])


def primary_fernet() -> Fernet:
    """The newest field key alone: a token it can read needs no rotation."""
    return Fernet(field_keys()[0])


class SiraKeysMixin:
    """Use Sira's own Fernet keys (kept outside the database, rotatable) rather than keys derived
    from SECRET_KEY, so rotating the session secret never makes identities unreadable."""

    @cached_property
    def keys(self) -> list[bytes]:
        return field_keys()

    @cached_property
    def f(self):
        return MultiFernet([Fernet(key) for key in self.keys])


class IdentityCharField(SiraKeysMixin, EncryptedCharField):
    pass


class IdentityTextField(SiraKeysMixin, EncryptedTextField):
    pass


class IdentityDateField(SiraKeysMixin, EncryptedDateField):
    pass


class IdentityJSONField(SiraKeysMixin, EncryptedTextField):
    """A JSON value encrypted whole (keys and values) as one Fernet token in a text column: what an
    uploaded row said (column names included) is readable only with the field keys."""

    def get_prep_value(self, value):
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return self.f.encrypt(text.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(self.f.decrypt(value.encode()).decode())

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)


def encrypt_bytes(data: bytes) -> bytes:
    """Binary data under the field keys (import segments)."""
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(token)


def seal(purpose: str, payload: dict) -> str:
    """A URL-safe encrypted token carrying `payload` for one `purpose` (a search kept out of URLs)."""
    text = json.dumps({"p": purpose, **payload}, separators=(",", ":"))
    return fernet().encrypt(text.encode()).decode().rstrip("=")


def unseal(purpose: str, token: str, *, max_age: int) -> dict | None:
    """The payload of a token made by seal() for `purpose` and younger than `max_age` seconds, or None."""
    if not token or not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        raw = fernet().decrypt((token + "=" * (-len(token) % 4)).encode(), ttl=max_age)
        payload = json.loads(raw)
    except (InvalidToken, ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(payload, dict) or payload.pop("p", None) != purpose:
        return None
    return payload


def normalise(text: str) -> str:
    """Case-, accent- and space-insensitive form, so 'Traoré' and 'TRAORE ' match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def blind_index_keys() -> list[bytes]:
    """The blind-index keys, newest first (SIRA_BLIND_INDEX_KEY, comma separated)."""
    return [k.strip().encode() for k in settings.SIRA_BLIND_INDEX_KEY.split(",") if k.strip()]


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def blind_index(text: str, *, key: bytes | None = None) -> str:
    value = normalise(text)
    if not value:
        return ""
    return _hmac(key or blind_index_keys()[0], value)


def blind_indexes(text: str) -> list[str]:
    """The blind index of `text` under every key, newest first: what a search looks for while the
    stored tokens are being rebuilt under a new key."""
    value = normalise(text)
    if not value:
        return []
    return list(dict.fromkeys(_hmac(key, value) for key in blind_index_keys()))


def keyed_hash(purpose: str, text: str) -> str:
    """A keyed hash of `text` for records that must not hold it (a search term, a mistyped username)
    but may need to show that two events concern the same value: who holds the key can check a given
    value; the record alone reveals nothing."""
    return _hmac(blind_index_keys()[0], f"{purpose}\x1f{text or ''}")


def fingerprint(key: bytes) -> str:
    """A short, non-secret name for a key (backups record which key encrypted them)."""
    return base64.b32encode(hashlib.sha256(b"sira-key-id" + key).digest()[:5]).decode().lower()
