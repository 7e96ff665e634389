"""A whole list of values as one SQL parameter: `WHERE id IN {ID_LIST}`, with the Python list in its place.

The list is bound as one array parameter and unnested by the database, so no value is ever formatted
into SQL and the statement stays the same text whatever the list's length (an empty list matches
nothing). The cast names the element type, which an empty list could not tell. A fragment rather than
a function because clauses built from it are often constants themselves (coaching.privacy.privacy_rows).
"""

from __future__ import annotations

ID_LIST = "(SELECT unnest(?::INTEGER[]))"       # the parameter: a list of ints
TEXT_LIST = "(SELECT unnest(?::VARCHAR[]))"     # the parameter: a list of texts
