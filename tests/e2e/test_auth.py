"""Signature verification end to end: a router started with
--credentials_file accepts requests signed with a listed key (boto3 and the
aws CLI) and refuses, with DynamoDB's errors, unknown keys, wrong secrets,
stale dates and unsigned requests."""

import json
import os
import subprocess
import uuid

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from tern_cluster import running

KEY_ID = "AKIDTERNE2E"
SECRET = "e2e/Secret+Key"


@pytest.fixture(scope="module")
def signed_cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("auth")
    credentials = folder / "credentials"
    credentials.write_text(f"# e2e keys\n{KEY_ID} {SECRET}\nAKIDOTHER other-secret\n")
    with running(folder / "tern-data", router_args=f"--credentials_file={credentials}") as c:
        yield c


def client(cluster, key_id, secret):
    return boto3.client("dynamodb", endpoint_url=cluster.endpoint, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]


def test_listed_keys_work_and_others_are_refused(signed_cluster):
    good = client(signed_cluster, KEY_ID, SECRET)
    table = f"auth-{uuid.uuid4().hex[:8]}"
    good.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                      AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                      KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    good.get_waiter("table_exists").wait(TableName=table,
                                         WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    good.put_item(TableName=table, Item={"k": {"S": "a"}, "v": {"N": "1"}})
    assert good.get_item(TableName=table, Key={"k": {"S": "a"}})["Item"]["v"] == {"N": "1"}
    # The second key in the file works too.
    assert table in client(signed_cluster, "AKIDOTHER", "other-secret").list_tables()["TableNames"]

    unknown = error_of(lambda: client(signed_cluster, "AKIDNOBODY", SECRET).list_tables())
    assert unknown == {"Code": "UnrecognizedClientException",
                       "Message": "The security token included in the request is invalid."}
    wrong = error_of(lambda: client(signed_cluster, KEY_ID, "not-it").get_item(
        TableName=table, Key={"k": {"S": "a"}}))
    assert wrong["Code"] == "InvalidSignatureException"
    assert wrong["Message"].startswith(
        "The request signature we calculated does not match the signature you provided.")
    # Nothing written with a bad signature.
    error_of(lambda: client(signed_cluster, KEY_ID, "not-it").put_item(
        TableName=table, Item={"k": {"S": "b"}}))
    assert "Item" not in good.get_item(TableName=table, Key={"k": {"S": "b"}},
                                       ConsistentRead=True)


def test_unsigned_and_stale_requests(signed_cluster):
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "DynamoDB_20120810.ListTables"}
    unsigned = requests.post(signed_cluster.endpoint, data="{}", headers=headers, timeout=10)
    assert unsigned.status_code == 400
    assert unsigned.json() == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token"}
    stale = requests.post(signed_cluster.endpoint, data="{}", timeout=10, headers=dict(
        headers, **{"X-Amz-Date": "20200101T000000Z", "Authorization":
                    f"AWS4-HMAC-SHA256 Credential={KEY_ID}/20200101/us-east-1/dynamodb/"
                    "aws4_request, SignedHeaders=host;x-amz-date, Signature=00"}))
    assert stale.status_code == 400
    body = stale.json()
    assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    assert body["message"].startswith("Signature expired: 20200101T000000Z is now earlier than ")


def test_aws_cli_with_a_listed_key(signed_cluster):
    def aws(key_id, secret):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret,
                   AWS_DEFAULT_REGION="eu-west-1", AWS_PAGER="")
        return subprocess.run(["/usr/bin/aws", "dynamodb", "list-tables", "--endpoint-url",
                               signed_cluster.endpoint, "--output", "json"],
                              capture_output=True, text=True, timeout=60, env=env)
    ok = aws(KEY_ID, SECRET)
    assert ok.returncode == 0, ok.stderr
    assert "TableNames" in json.loads(ok.stdout)
    refused = aws(KEY_ID, "wrong")
    assert refused.returncode != 0
    assert "InvalidSignatureException" in refused.stderr
