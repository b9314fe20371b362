"""A fast path for models whose Items are exactly their stored documents.

Building an Item for a request costs a stricto copy of the model and a validation pass
that visits every field several times, evaluating its rights on the way: about a
millisecond for a dozen fields, ten times what Flask itself costs. Most back-office
models are *plain*: strings, numbers, booleans, datetimes and sub-dicts, with no
computed value, transform, event, view, per-field read right or constraint. For such a
model the Item a route would build says nothing the stored document does not say, so a
route can answer from the document itself.

:class:`PlainModel` is that shortcut, with one rule: it answers only when it is certain
to produce exactly what the Item path produces, and returns None otherwise, so that
the caller takes the Item path (and raises the Item path's error). Anything unusual,
a value of an unexpected type, an unknown key, a required value missing, sends the
request the slow, exact way. What it handles is named, never guessed: the field types
and, for each, every attribute it may carry with the values honoured
(:data:`.specs.PLAIN_ATTRIBUTES`); any other type, attribute or value makes the model
not plain. ``tests/core/test_plain_model.py`` checks that both paths agree on random
models (drawing every option the table honours) and documents, on every stricto
version the package accepts (``make test``).

A model is compiled when first used by a collection (see
:meth:`BaseCollection.plain_model`), and again whenever it changes afterwards
(``add_to_model``, ``remove_model``...): :class:`ModelShape` tells, and when it cannot
tell the model is compiled again. :meth:`BaseCollection.define_view` forgets it.

Modules: :mod:`.specs` compiles a model, :mod:`.records` computes what stricto makes of
assigned values, :mod:`.matching` matches filters, :mod:`.pushdown` tells which filters a
store may answer itself, :mod:`.model` puts them together, :mod:`.shape` tells whether a
model changed.
"""

from .model import PlainModel, derives_ids_from_items
from .shape import ModelShape

__all__ = ["ModelShape", "PlainModel", "derives_ids_from_items"]
