"""backo's HTTP edge: the Flask routes that ``Backoffice.build_routes`` adds.

Each request is parsed into plain values here (:mod:`.request`, :mod:`.query`), handed
to the domain core, and the outcome shaped into a response (:mod:`.responses`,
:mod:`.errors`). No business rule lives here: rights, validation, references and
transactions are the core's.

Imports allowed here: Flask, werkzeug, stricto, :mod:`backo.core`, :mod:`backo.error`,
:mod:`backo.log`, :mod:`backo.current_user`. The core never imports this package.

Modules::

    routes.py           ROUTES (the route table, as data) and register()
    views.py            one function per route: parse -> call the core -> render
    query.py            query-string parsing (ListQuery, pagination, filters)
    request.py          request bodies (JSON, multipart) and the content-type guard
    responses.py        JSON and text responses
    errors.py           exception -> HTTP status table, error_to_http_handler
    openapi.py          the OpenAPI document, built from ROUTES and the models
    openapi_schemas.py  the fixed OpenAPI schemas, and those derived from stricto models
"""
