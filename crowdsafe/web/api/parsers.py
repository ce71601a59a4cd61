"""The API's JSON parser: DRF's, refusing bodies nested deeper than API_JSON_MAX_DEPTH with a 400.

Python's json module parses nested arrays and objects recursively: a body of 1,100 opening brackets raised
RecursionError, a 500, on any endpoint that reads JSON, including the unauthenticated token endpoint. No
request of this API nests more than a few levels, so the depth is counted before parsing.
"""

from __future__ import annotations

import codecs
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

# A JSON string (with its escapes), so that brackets inside strings are not counted.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (0 for a scalar); an approximation for
    malformed text, which the parser refuses anyway."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a nesting limit (REST_FRAMEWORK's default parser, and in every view that names
    its parsers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from exc
        limit = settings.API_JSON_MAX_DEPTH
        if json_depth(text) > limit:
            raise ParseError(_("The JSON body is nested too deeply: at most %(limit)s levels.") % {"limit": limit})
        try:
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from exc
