"""``recommender serve`` (the HTTP service) and ``recommender token create|list|revoke`` (its API tokens).

The service itself lives in the ``api`` package; it is imported only when one of these commands runs, so the
library and the other commands never load the web stack.
"""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the HTTP service (FastAPI on uvicorn)",
        description="Run the HTTP service. Migrates the database to the newest schema, loads the catalog "
        "(and builds its recommendation engine in the background), then answers on --host:--port until "
        "SIGINT/SIGTERM (requests in flight are finished first). Settings not given here come from the "
        "environment: DATABASE_URL, CATALOG_DIR, DATA_DIR, SECRET_KEY, K_ANONYMITY, LOG_LEVEL, "
        "ALLOW_SELF_REGISTRATION, RECOMMENDATIONS, RECOMMENDER_ENCODER.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--catalog", metavar="DIR", help="catalog directory to serve until one is imported (env CATALOG_DIR)"
    )
    _add_storage_options(serve)
    serve.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="env LOG_LEVEL")
    serve.add_argument(
        "--graceful-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to let requests in flight finish at shutdown (default 10)",
    )
    serve.set_defaults(func=run_serve)

    token = subparsers.add_parser(
        "token",
        help="create, list or revoke API tokens of the HTTP service",
        description="Manage the service's bearer tokens. Use the same DATABASE_URL / --data-dir and "
        "SECRET_KEY as the service: tokens are stored as peppered hashes derived from that secret.",
    )
    commands = token.add_subparsers(dest="token_command", metavar="COMMAND", required=True)
    create = commands.add_parser(
        "create",
        help="create a token and print it (shown once)",
        description="Create a token. Roles: worker (one worker's own data), enterprise (its roster), college "
        "(its aggregated demand), union_admin (catalog, policies, region-wide reports).",
    )
    create.add_argument("--role", required=True, choices=("worker", "enterprise", "college", "union_admin"))
    create.add_argument(
        "--tenant",
        metavar="ID",
        help="worker id, enterprise id or college id the token acts for (required for those "
        "roles); for union_admin an optional province its reports are limited to",
    )
    create.add_argument("--label", default="", help="a note to tell tokens apart (who it was given to)")
    _add_storage_options(create)
    create.add_argument("--json", action="store_true", help="print the token and its record as JSON")
    create.set_defaults(func=run_token_create)

    listing = commands.add_parser(
        "list",
        help="list tokens (never the tokens themselves)",
        description="List tokens: id, prefix, role, tenant, label, dates.",
    )
    listing.add_argument("--role", choices=("worker", "enterprise", "college", "union_admin"))
    listing.add_argument("--tenant", metavar="ID")
    _add_storage_options(listing)
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(func=run_token_list)

    revoke = commands.add_parser("revoke", help="revoke a token by id", description="Revoke a token by id.")
    revoke.add_argument("token_id", type=int, metavar="ID", help="token id from `recommender token list`")
    _add_storage_options(revoke)
    revoke.add_argument("--json", action="store_true", help="print the revoked token's record as JSON")
    revoke.set_defaults(func=run_token_revoke)


def _add_storage_options(parser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="sqlite:///file.db or postgresql://user@host:5432/db (env DATABASE_URL; default "
        "sqlite under --data-dir)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="service files: database, imported catalogs, secret key (env DATA_DIR; default var)",
    )


def _settings(args, **extra):
    from api.core.config import Settings

    overrides = {
        k: v
        for k, v in {
            "database_url": getattr(args, "database_url", None),
            "data_dir": getattr(args, "data_dir", None),
            **extra,
        }.items()
        if v is not None
    }
    return Settings(**overrides)


# ------------------------------------------------------------------------------------------------- serve
def run_serve(args) -> int:
    import uvicorn

    from api.db.session import create_db_engine, database_reachable
    from api.main import create_app
    from recommender.errors import UserError

    settings = _settings(args, catalog_dir=args.catalog, log_level=args.log_level)
    engine = create_db_engine(settings.resolved_database_url)
    reachable = database_reachable(engine)
    engine.dispose()
    if not reachable:
        raise UserError(
            f"cannot reach the database at {settings.resolved_database_url}: check DATABASE_URL "
            "(or --database-url) and that the server is running"
        )
    if settings.catalog_dir is not None and not settings.catalog_dir.is_dir():
        raise UserError(
            f"--catalog {settings.catalog_dir} is not a directory; write one with `recommender demo` "
            "or `recommender import official`"
        )
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=args.graceful_timeout,
    )
    return 0


# ------------------------------------------------------------------------------------------------- token
def _with_session(args, work):
    from api.db.migrate import upgrade_database
    from api.db.session import create_db_engine, create_session_factory

    settings = _settings(args)
    engine = create_db_engine(settings.resolved_database_url)
    try:
        upgrade_database(engine)
        with create_session_factory(engine)() as session:
            result = work(session, settings)
            session.commit()
            return result
    finally:
        engine.dispose()


def _record(row) -> dict:
    return {
        "token_id": row.token_id,
        "token_prefix": row.token_prefix,
        "role": row.role,
        "tenant_id": row.tenant_id,
        "label": row.label,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def run_token_create(args) -> int:
    from api.core.security import derive_key
    from api.services.tokens import issue_token

    def work(session, settings):
        row, token = issue_token(
            session, derive_key(settings.secret, "token-pepper"), args.role, args.tenant, label=args.label
        )
        return {"token": token, **_record(row)}

    out = _with_session(args, work)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(out["token"])
        tenant = f" for {out['tenant_id']}" if out["tenant_id"] else ""
        print(
            f"token {out['token_id']}: role {out['role']}{tenant}. It is shown only now: store it.",
            file=sys.stderr,
        )
    return 0


def run_token_list(args) -> int:
    from api.services.tokens import list_tokens

    rows = _with_session(
        args, lambda session, _: [_record(r) for r in list_tokens(session, args.role, args.tenant)]
    )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("no tokens", file=sys.stderr)
    for r in rows:
        state = f"revoked {r['revoked_at'][:19]}" if r["revoked_at"] else "active"
        tenant = r["tenant_id"] or "-"
        line = f"{r['token_id']:>5}  {r['token_prefix']}…  {r['role']:<11} {tenant:<20} {state:<28}"
        print(f"{line} {r['label']}")
    return 0


def run_token_revoke(args) -> int:
    from api.services.tokens import revoke_token

    out = _with_session(args, lambda session, _: _record(revoke_token(session, args.token_id)))
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"token {out['token_id']} ({out['role']}, {out['tenant_id'] or '-'}) revoked")
    return 0
