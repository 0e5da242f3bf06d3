"""The COPY reader the recomputation uses gives PostgreSQL's bytes exactly, raises the
server's errors, and leaves the connection usable."""

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# Answers as a form can hold them: separators, quotes, a newline, Vietnamese (NFC), empty.
ROWS_SQL = (
    "SELECT g AS id, (ARRAY['a,b', 'say \"hi\"', E'two\\nlines', 'Ấp Phú Lâm', '', NULL])[1 + g % 6] AS answer "
    "FROM generate_series(1, 20000) AS g"
)


def psycopg_copy(cursor, statement: str) -> bytes:
    with cursor.copy(statement) as copy:
        return b"".join(bytes(block) for block in copy)


@pytest.fixture
def cursor():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    connection.ensure_connection()
    with connection.connection.cursor() as raw:
        yield raw


def test_the_reader_returns_the_bytes_psycopgs_copy_gives(cursor):
    from backend.reports.copy_out import copy_out_bytes

    statement = f"COPY ({ROWS_SQL}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    expected = psycopg_copy(cursor, statement)
    got = copy_out_bytes(cursor, statement).read()
    assert got == expected
    assert got.count(b"\n") > 20000  # header, every row, and the embedded newlines
    assert "Ấp Phú Lâm".encode() in got


def test_a_failing_query_raises_the_servers_error_and_the_connection_goes_on(cursor):
    from backend.reports.copy_out import copy_out_bytes

    cursor.execute("SAVEPOINT before_failure")
    with pytest.raises(psycopg.errors.UndefinedTable):
        copy_out_bytes(cursor, "COPY (SELECT * FROM no_such_table_here) TO STDOUT WITH (FORMAT csv)")
    cursor.execute("ROLLBACK TO SAVEPOINT before_failure")
    with pytest.raises(psycopg.errors.DivisionByZero):  # fails mid-stream, after rows were sent
        copy_out_bytes(cursor, "COPY (SELECT 1 / (5000 - g) FROM generate_series(1, 9000) g) TO STDOUT")
    cursor.execute("ROLLBACK TO SAVEPOINT before_failure")
    cursor.execute("SELECT 41 + 1")
    assert cursor.fetchone() == (42,)
