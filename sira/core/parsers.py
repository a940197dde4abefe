"""The API's JSON parser: DRF's, refusing a body nested too deeply to decode (Python's JSON decoder
recurses once per level: a few kilobytes of brackets raised RecursionError, a server error) with the
same 400 as any other malformed body."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The JSON body is nested too deeply.")) from error
