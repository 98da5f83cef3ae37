"""The aws CLI commands a new user types first, run against a real cluster,
with their outputs checked (Debian's /usr/bin/aws)."""

import json
import os
import subprocess
import uuid

import pytest


@pytest.fixture(scope="module")
def aws(running_cluster):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="tern", AWS_SECRET_ACCESS_KEY="tern",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")

    def run(*args, expect_ok=True):
        result = subprocess.run(
            ["/usr/bin/aws", "dynamodb", *args, "--endpoint-url", running_cluster.endpoint,
             "--output", "json"], capture_output=True, text=True, timeout=60, env=env)
        if expect_ok:
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout) if result.stdout.strip() else {}
        assert result.returncode != 0
        return result.stderr
    return run


def test_first_session_of_a_new_user(aws):
    table = f"Music-{uuid.uuid4().hex[:8]}"
    created = aws("create-table", "--table-name", table,
                  "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
                  "AttributeName=SongTitle,AttributeType=S",
                  "--key-schema", "AttributeName=Artist,KeyType=HASH",
                  "AttributeName=SongTitle,KeyType=RANGE",
                  "--billing-mode", "PAY_PER_REQUEST")
    description = created["TableDescription"]
    assert description["TableName"] == table
    assert description["TableStatus"] == "CREATING"
    assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    aws("wait", "table-exists", "--table-name", table)

    assert table in aws("list-tables")["TableNames"]
    described = aws("describe-table", "--table-name", table)["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["TableArn"].endswith(f":table/{table}")

    key = json.dumps({"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}})
    item = json.dumps({"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"},
                       "AlbumTitle": {"S": "Somewhat Famous"}, "Awards": {"N": "1"}})
    assert aws("put-item", "--table-name", table, "--item", item) == {}

    got = aws("get-item", "--table-name", table, "--key", key, "--consistent-read",
              "--return-consumed-capacity", "TOTAL")
    assert got["Item"]["AlbumTitle"] == {"S": "Somewhat Famous"}
    assert got["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}

    updated = aws("update-item", "--table-name", table, "--key", key,
                  "--update-expression", "SET AlbumTitle = :newval",
                  "--expression-attribute-values", '{":newval":{"S":"Updated Album Title"}}',
                  "--return-values", "ALL_NEW")
    assert updated["Attributes"]["AlbumTitle"] == {"S": "Updated Album Title"}
    assert updated["Attributes"]["Awards"] == {"N": "1"}

    deleted = aws("delete-item", "--table-name", table, "--key", key, "--return-values", "ALL_OLD")
    assert deleted["Attributes"]["AlbumTitle"] == {"S": "Updated Album Title"}
    assert aws("get-item", "--table-name", table, "--key", key, "--consistent-read") == {}

    limits = aws("describe-limits")
    assert limits == {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                      "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}

    error = aws("get-item", "--table-name", table, "--key", '{"Artist":{"N":"1"}}',
                expect_ok=False)
    assert "ValidationException" in error
    assert "The provided key element does not match the schema" in error

    assert aws("delete-table", "--table-name", table)["TableDescription"]["TableStatus"] == \
        "DELETING"
    aws("wait", "table-not-exists", "--table-name", table)
    error = aws("describe-table", "--table-name", table, expect_ok=False)
    assert "ResourceNotFoundException" in error
