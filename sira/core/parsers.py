"""The API's parsers: DRF's, refusing with the same 400 as any other malformed body a JSON body nested
too deeply to decode (Python's JSON decoder recurses once per level: a few kilobytes of brackets raised
RecursionError, a server error) and any text holding a NUL character (PostgreSQL cannot store one, and
a lookup with one was a server error)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from sira.core.middleware import has_nul, nul_message


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The JSON body is nested too deeply.")) from error
        try:
            nul = has_nul(data)
        except RecursionError as error:
            raise ParseError(_("The JSON body is nested too deeply.")) from error
        if nul:
            raise ParseError(nul_message())
        return data


class SafeFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if has_nul(data):
            raise ParseError(nul_message())
        return data


class SafeMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if has_nul(parsed.data):  # the text fields; files are bytes and may hold anything
            raise ParseError(nul_message())
        return parsed
