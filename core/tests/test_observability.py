"""Every request carries an id, sent back in X-Request-ID and written in its log line;
LOG_FORMAT=json writes each line as one JSON object with that id."""

import json
import logging
import sys

from core.observability import JsonFormatter, RequestIdFilter, current_request_id


def test_each_response_names_its_request(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_proxys_request_id_is_kept(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "a1b2c3d4e5f60718293a4b5c6d7e8f90"})
    assert response["X-Request-ID"] == "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def test_a_request_id_that_could_forge_log_lines_is_replaced(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": 'x"\n{"level": "ERROR"}'})
    assert "\n" not in response["X-Request-ID"] and len(response["X-Request-ID"]) == 32


def test_the_request_line_is_logged_with_its_id(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="kindsteps.request"):
        response = client.get("/healthz")
    (record,) = [r for r in caplog.records if r.name == "kindsteps.request"]
    assert record.request_id == response["X-Request-ID"]
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)


def test_json_lines_carry_the_message_the_extras_and_the_traceback():
    record = logging.LogRecord(
        "kindsteps.test", logging.ERROR, __file__, 1, "Tải lên %s", ("x",), None
    )
    record.upload_id = 42
    try:
        raise ValueError("hỏng")
    except ValueError:
        record.exc_info = sys.exc_info()
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Tải lên x" and line["level"] == "ERROR"
    assert line["upload_id"] == 42 and line["request_id"] == current_request_id() == "-"
    assert "ValueError: hỏng" in line["exception"]


def test_the_request_line_costs_no_query_on_a_page_that_never_looked_at_the_user(
    client, db, django_assert_num_queries, participant
):
    client.force_login(participant)
    client.cookies["kindsteps_language"] = "vi"  # else the language middleware reads the user
    with django_assert_num_queries(1):  # /healthz's SELECT 1, no session or user lookup
        client.get("/healthz")
