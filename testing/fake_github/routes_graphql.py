"""``POST /graphql``: the part of GitHub's GraphQL API that reads issues, executed for real.

The schema below is a subset of GitHub's public GraphQL schema (same type, field, argument
and enum names, same nullability), and queries are parsed, validated and executed by
graphql-core: a query that would not validate against GitHub's schema (an unknown field, a
wrong argument type) fails here too, with GitHub's error shape. Answers follow GitHub's
conventions:

- a repository the token cannot see, or an issue number that does not exist, resolves to
  ``null`` with an error of ``"type": "NOT_FOUND"`` at its path; the rest of the answer
  stands (partial data, status 200);
- a token without the ``issues`` read permission gets ``"type": "FORBIDDEN"``;
- a connection needs ``first`` or ``last`` between 1 and 100;
- a query is a read: it costs one point of the ``graphql`` rate limit, never counts as a
  content-creating request. Two mutations are served (``graphql_mutations.py``):
  ``createCommitOnBranch`` and ``enablePullRequestAutoMerge``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    graphql_sync,
    parse,
)

from . import graphql_mutations
from .auth import can_see_org, has_permission
from .http_util import Response, fail
from .model import Comment, Issue, Label, Repo, User
from .render_common import ts
from .routing import Ctx, Route

DOC = "https://docs.github.com/graphql"

SCHEMA_SDL = """
scalar DateTime
scalar URI

enum IssueState { OPEN CLOSED }
enum IssueStateReason { COMPLETED DUPLICATE NOT_PLANNED REOPENED }
enum IssueOrderField { COMMENTS CREATED_AT UPDATED_AT }
enum OrderDirection { ASC DESC }
input IssueOrder { direction: OrderDirection! field: IssueOrderField! }

type Query {
  repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
  rateLimit(dryRun: Boolean = false): RateLimit
  viewer: User!
}

type RateLimit {
  cost: Int! limit: Int! nodeCount: Int! remaining: Int! resetAt: DateTime! used: Int!
}

type PageInfo {
  endCursor: String hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String
}

type Repository {
  databaseId: Int
  name: String!
  nameWithOwner: String!
  isArchived: Boolean!
  url: URI!
  issue(number: Int!): Issue
  issues(after: String, before: String, first: Int, last: Int, labels: [String!],
         orderBy: IssueOrder, states: [IssueState!]): IssueConnection!
}

type Issue {
  databaseId: Int
  number: Int!
  title: String!
  body: String!
  state: IssueState!
  stateReason(enableDuplicate: Boolean = false): IssueStateReason
  url: URI!
  createdAt: DateTime!
  updatedAt: DateTime!
  closedAt: DateTime
  author: User
  repository: Repository!
  labels(after: String, before: String, first: Int, last: Int): LabelConnection
  assignees(after: String, before: String, first: Int, last: Int): UserConnection!
  comments(after: String, before: String, first: Int, last: Int): IssueCommentConnection!
}

type IssueConnection { nodes: [Issue] pageInfo: PageInfo! totalCount: Int! }
type Label { name: String! color: String! description: String }
type LabelConnection { nodes: [Label] pageInfo: PageInfo! totalCount: Int! }
type User { login: String! databaseId: Int }
type UserConnection { nodes: [User] pageInfo: PageInfo! totalCount: Int! }
type IssueComment { databaseId: Int body: String! url: URI! createdAt: DateTime! author: User }
type IssueCommentConnection { nodes: [IssueComment] pageInfo: PageInfo! totalCount: Int! }
"""

_MAX_PAGE = 100


def _error(message: str, kind: str | None = None) -> GraphQLError:
    return GraphQLError(message, extensions={"type": kind} if kind else None)


def _ctx(info: GraphQLResolveInfo) -> Ctx:
    ctx: Ctx = info.context
    return ctx


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:v2:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, number = text.rpartition(":")
        if prefix != "cursor:v2" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except ValueError:
        raise _error(f"`{cursor}` does not appear to be a valid cursor.") from None


def _connection(
    items: Sequence[Any], info: GraphQLResolveInfo, args: dict[str, Any]
) -> dict[str, Any]:
    """GitHub's rules: ``first`` or ``last`` (1..100) is required; ``after`` / ``before``
    are opaque cursors."""
    first, last = args.get("first"), args.get("last")
    name = info.field_name
    if first is None and last is None:
        raise _error(
            f"You must provide a `first` or `last` value to properly paginate the `{name}` "
            "connection."
        )
    for key, value in (("first", first), ("last", last)):
        if value is not None and not 1 <= value <= _MAX_PAGE:
            raise _error(
                f"Requesting {value} records on the `{name}` connection exceeds the `{key}` "
                f"limit of {_MAX_PAGE} records."
            )
    start = _offset(args.get("after")) + (1 if args.get("after") else 0)
    end = _offset(args.get("before")) if args.get("before") else len(items)
    window = list(range(start, min(end, len(items))))
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    return {
        "nodes": [items[i] for i in window],
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1] < len(items) - 1,
            "hasPreviousPage": bool(window) and window[0] > 0,
            "startCursor": _cursor(window[0]) if window else None,
            "endCursor": _cursor(window[-1]) if window else None,
        },
    }


# -- resolvers ---------------------------------------------------------------------------


def _repository(_root: Any, info: GraphQLResolveInfo, owner: str, name: str, **_: Any) -> Repo:
    ctx = _ctx(info)
    org = ctx.state.org(owner)
    repo = None if org is None else org.repos.get(name.lower())
    token = ctx.token
    if repo is None or (token is not None and not can_see_org(token, repo.org.login)):
        raise _error(
            f"Could not resolve to a Repository with the name '{owner}/{name}'.", "NOT_FOUND"
        )
    if token is not None and not has_permission(token, "issues", "read"):
        raise _error("Resource not accessible by integration", "FORBIDDEN")
    return repo


def _repo_issue(repo: Repo, _info: GraphQLResolveInfo, number: int) -> Issue:
    issue = repo.issues[number - 1] if 1 <= number <= len(repo.issues) else None
    while issue is not None and issue.transferred_to is not None:
        # Not documented for GraphQL; answered as REST's redirect leads: the issue where it
        # is now, in another repository (a reader that asked for this one sees that).
        issue = issue.transferred_to
    if issue is None or issue.deleted:
        raise _error(f"Could not resolve to an issue with the number of {number}.", "NOT_FOUND")
    return issue


def _repo_issues(repo: Repo, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    wanted = {name.lower() for name in args.get("labels") or ()}
    states = {state.lower() for state in args.get("states") or ()}
    found = [
        issue
        for issue in repo.issues
        if issue.present
        and (not states or issue.state in states)
        and (not wanted or wanted & {label.name.lower() for label in issue.labels})
    ]
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    key: Callable[[Issue], Any] = {
        "CREATED_AT": lambda issue: (issue.created, issue.number),
        "UPDATED_AT": lambda issue: (issue.updated, issue.number),
        "COMMENTS": lambda issue: (len(issue.comments), issue.number),
    }[order["field"]]
    found.sort(key=key, reverse=order["direction"] == "DESC")
    return _connection(found, info, args)


def _issue_field(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> Any:
    name = info.field_name
    renderer = _ctx(info).state.renderer
    if name == "databaseId":
        return issue.id
    if name == "body":
        return issue.body or ""
    if name == "state":
        return issue.state.upper()
    if name == "stateReason":
        reason = issue.state_reason
        return reason.upper() if reason else None
    if name == "url":
        return f"{renderer.html}/{issue.repo.full_name}/issues/{issue.number}"
    if name == "createdAt":
        return ts(issue.created)
    if name == "updatedAt":
        return ts(issue.updated)
    if name == "closedAt":
        return ts(issue.closed_at)
    if name == "repository":
        return issue.repo
    if name == "author":
        # GitHub's schema: "author: Actor" ("The actor who authored the comment"), and a
        # Bot's login there is its name without REST's "[bot]" suffix.
        user = issue.user
        return User(user.login.removesuffix("[bot]"), user.id, user.type)
    if name == "labels":
        return _connection(sorted(issue.labels, key=lambda lb: lb.name.lower()), info, args)
    if name == "assignees":
        return _connection(issue.assignees, info, args)
    if name == "comments":
        return _connection(issue.comments, info, args)
    return getattr(issue, name)


def _repo_field(repo: Repo, info: GraphQLResolveInfo, **args: Any) -> Any:
    name = info.field_name
    if name == "issue":
        return _repo_issue(repo, info, **args)
    if name == "issues":
        return _repo_issues(repo, info, **args)
    if name == "databaseId":
        return repo.id
    if name == "nameWithOwner":
        return repo.full_name
    if name == "isArchived":
        return repo.archived
    if name == "url":
        return f"{_ctx(info).state.renderer.html}/{repo.full_name}"
    return getattr(repo, name)


def _comment_field(comment: Comment, info: GraphQLResolveInfo) -> Any:
    name = info.field_name
    if name == "databaseId":
        return comment.id
    if name == "url":
        issue = comment.issue
        html = _ctx(info).state.renderer.html
        return f"{html}/{issue.repo.full_name}/issues/{issue.number}#issuecomment-{comment.id}"
    if name == "createdAt":
        return ts(comment.created)
    if name == "author":
        return comment.user
    return getattr(comment, name)


def _user_field(user: User, info: GraphQLResolveInfo) -> Any:
    return user.id if info.field_name == "databaseId" else getattr(user, info.field_name)


def _label_field(label: Label, info: GraphQLResolveInfo) -> Any:
    return getattr(label, info.field_name)


def _viewer(_root: Any, info: GraphQLResolveInfo, **_: Any) -> User:
    """GitHub's schema: "viewer: User! The currently authenticated user." An installation
    token's viewer is its App's bot, login with "[bot]" (as REST's user.login)."""
    token = _ctx(info).token
    if token is None:
        raise _error("This endpoint requires you to be authenticated.")
    return token.user


def _rate_limit(_root: Any, info: GraphQLResolveInfo, **_: Any) -> dict[str, Any]:
    ctx = _ctx(info)
    return {
        "cost": 1,
        "limit": 5000,
        "nodeCount": 0,
        "remaining": 5000,
        "resetAt": ts(ctx.state.clock.now() + 3600),
        "used": 0,
    }


def _build() -> GraphQLSchema:
    schema = build_schema(SCHEMA_SDL)
    query = schema.query_type
    assert query is not None
    query.fields["repository"].resolve = _repository
    query.fields["rateLimit"].resolve = _rate_limit
    query.fields["viewer"].resolve = _viewer
    for type_name, resolve in (
        ("Repository", _repo_field),
        ("Issue", _issue_field),
        ("IssueComment", _comment_field),
        ("User", _user_field),
        ("Label", _label_field),
    ):
        for field in schema.get_type(type_name).fields.values():  # type: ignore[union-attr]
            field.resolve = resolve
    return schema


SCHEMA = _build()


def _formatted(error: GraphQLError) -> dict[str, Any]:
    """GitHub puts the error's kind at the top level (``"type": "NOT_FOUND"``)."""
    entry: dict[str, Any] = {"message": error.message}
    kind = (error.extensions or {}).get("type")
    if kind:
        entry = {"type": kind, **entry}
    if error.path is not None:
        entry["path"] = list(error.path)
    if error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return entry


def _has_mutation(text: str) -> bool:
    try:
        document = parse(text)
    except GraphQLError:
        return False  # graphql_sync reports the syntax error
    return any(
        isinstance(node, OperationDefinitionNode) and node.operation is not OperationType.QUERY
        for node in document.definitions
    )


def graphql(ctx: Ctx) -> Response:
    if not ctx.state.config.graphql:
        raise fail(404, "Not Found", DOC)
    try:
        payload = ctx.req.json()
    except ValueError:
        raise fail(400, "Problems parsing JSON", DOC) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        raise fail(400, "A query attribute must be specified and must be a string.", DOC)
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise fail(400, "Variables must be an object.", DOC)
    if _has_mutation(payload["query"]):
        # The two mutations campaign-sync sends (graphql_mutations.py); anything else
        # fails validation there, as an unknown field would on GitHub.
        result = graphql_mutations.execute(ctx, payload["query"], variables)
    else:
        result = graphql_sync(
            SCHEMA, payload["query"], variable_values=variables, context_value=ctx
        )
    body: dict[str, Any] = {}
    if result.errors and result.data is None:
        body["errors"] = [_formatted(e) for e in result.errors]
    else:
        body["data"] = result.data
        if result.errors:
            body["errors"] = [_formatted(e) for e in result.errors]
    return Response(
        200,
        json.dumps(body).encode(),
        [("content-type", "application/json; charset=utf-8")],
    )


def routes() -> list[Route]:
    return [Route("POST", "/graphql", graphql, resource="graphql", doc=DOC)]
