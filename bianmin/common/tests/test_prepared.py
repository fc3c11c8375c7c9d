"""PostgreSQL runs the app's statements prepared (settings: DB_PREPARED_STATEMENTS, issue 17)."""

import pytest
from django.db import connection

from bianmin.orgs.models import Region

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.mark.django_db
def test_a_statement_sent_again_runs_prepared():
    """The fifth time a connection sends the same read, psycopg prepares it on the server; from
    then on the server plans it no more (pg_prepared_statements lists it)."""
    for code in ("610702", "610702100", "610702101", "610702102", "610702103", "610702104"):
        list(Region.objects.filter(code=code))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "orgs_region"' in s and "$1" in s for s in prepared), prepared
