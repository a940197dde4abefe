"""The OpenAPI schema's operations, with the error answers every one of them can give documented: a
client (and schemathesis, in the suite) can rely on every status code and body it gets being in the
schema."""

from drf_spectacular.openapi import AutoSchema

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# DRF's validation errors: {field: [messages…]} (nested for nested input), or a list of messages.
ERRORS = {
    "oneOf": [
        {"type": "object", "additionalProperties": True},
        {"type": "array", "items": {"type": "string"}},
    ]
}
ERROR_RESPONSES = {
    "400": ("The request is not valid: every problem at once, by field, in the request's language.", ERRORS),
    "401": ("Not authenticated (give a token: Authorization: Token …).", DETAIL),
    "403": ("Authenticated, but this action is not allowed on this record.", DETAIL),
    "404": ("No such record, or one outside the user's reach (the same answer for both).", DETAIL),
}


class SiraAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (description, schema) in ERROR_RESPONSES.items():
            existing = responses.get(code)
            if existing is None:
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": schema}},
                }
            elif "content" not in existing:
                existing["content"] = {"application/json": {"schema": schema}}
        return responses
