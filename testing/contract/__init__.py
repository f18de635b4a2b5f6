"""GitHub's official descriptions as the judge of every exchange with the fake GitHub.

``description``: finding and loading ``@octokit/openapi`` and ``@octokit/graphql-schema``
(npm packages pinned in ``package-lock.json``). ``rest``: one request/response pair against
its operation (openapi-core, openapi-schema-validator). ``graphql``: one query document
against the public schema (graphql-core). ``judge``: the fake's observer. ``pytest_plugin``:
fails the test during which a pair went off the description and prints the figure.
``subprocess``: the same for fakes run as ``python -m testing.fake_github``.
"""
