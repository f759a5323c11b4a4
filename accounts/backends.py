"""The authentication backends: Django's and allauth's, loading the signed-in user cheaply.

Every signed-in request loads its user (``get_user``), with the learner's goal joined in
(``UserManager``). Through the ORM that query is compiled anew each time, and compiling it costs
more than running it. Here it is compiled once per database alias, from the same queryset the
manager builds, and each request only runs the SQL and builds the objects, with the converters
and related-object wiring Django's own iterator uses: the user and the goal come out equal to
``User.objects.get(pk=...)``'s, and a learner without a goal still costs no query for it.

Sessions name the backend that signed them in, so these classes replace Django's and allauth's
in ``AUTHENTICATION_BACKENDS``; migration 0005 renames the backend in the sessions already open,
so that nobody is signed out by the change.
"""

import threading
from dataclasses import dataclass

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Plan:
    """The user-by-id query, compiled: its SQL and how to turn its row into objects."""

    sql: str
    # Applies the converters (SQLite's dates and booleans; PostgreSQL's types need none). They
    # read only settings through the connection it was made with, so any thread may use it.
    compiler: object
    converters: dict
    init_list: list[str]
    columns: slice
    related: list
    fetch_mode: object


_plans: dict[str, _Plan] = {}
_lock = threading.Lock()


def _plan(alias: str) -> _Plan:
    plan = _plans.get(alias)
    if plan is not None:
        return plan
    queryset = get_user_model()._default_manager.db_manager(alias).filter(pk=0)
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params) != [0]:  # the id must be the query's only parameter
        raise RuntimeError(f"Unexpected parameters in the user query: {params!r}")
    if queryset._fetch_mode.track_peers:  # the kept populators would remember every user loaded
        raise RuntimeError("The user query's fetch mode tracks peers; load_user cannot keep it.")
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    columns = slice(fields[0], fields[-1] + 1)
    plan = _Plan(
        sql=sql,
        compiler=compiler,
        converters=compiler.get_converters([column for column, _, _ in select]),
        init_list=[column.target.attname for column, _, _ in select[columns]],
        columns=columns,
        related=get_related_populators(klass_info, select, alias, queryset._fetch_mode),
        fetch_mode=queryset._fetch_mode,
    )
    with _lock:
        return _plans.setdefault(alias, plan)


def load_user(user_id, using: str = DEFAULT_DB_ALIAS):
    """The user with this id, as ``User.objects.get(pk=user_id)`` returns it, or None."""
    plan = _plan(using)
    with connections[using].cursor() as cursor:
        cursor.execute(plan.sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    if plan.converters:
        row = next(plan.compiler.apply_converters([row], plan.converters))
    user = get_user_model().from_db(
        using, plan.init_list, row[plan.columns], fetch_mode=plan.fetch_mode
    )
    for populator in plan.related:
        populator.populate(row, user)
    return user


class _LoadsUserOnce:
    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsUserOnce, DjangoModelBackend):
    """Django's backend (the admin's sign-in), with the cheap user load."""


class AuthenticationBackend(_LoadsUserOnce, AllauthBackend):
    """allauth's backend (every learner's sign-in), with the cheap user load."""
